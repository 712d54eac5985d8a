"""Embed mode: a guide's public pages inside a publisher's own page (issue 23).

`/embed/...` is the same site mounted a second time: `middleware.EmbedMiddleware`
strips the prefix, resolves the rest with `embed.urls` (the public patterns only)
and makes every URL the views reverse keep the prefix, so the questionnaire's
own logic and templates serve both. What differs is said once, here: the frameless
base template, `frame-ancestors` from the guide's allowed origins, links that
leave the guide opening in the top window, and a result POST without cookies
(`views.create_result`, `tokens`).
"""
