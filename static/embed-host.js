/* Decision Guide embed: sets each guide frame's height from the frame's own message. */
(function(){"use strict";var s=document.currentScript,o=s&&new URL(s.src).origin;
addEventListener("message",function(e){var h=e.data&&e.data.decisionguideHeight,f,i;
if(e.origin!==o||typeof h!=="number"||!(h>0))return;f=document.getElementsByTagName("iframe");
for(i=0;i<f.length;i++)if(f[i].contentWindow===e.source)f[i].style.height=Math.min(Math.ceil(h),1e5)+"px";});})();
