"""Is a guide still right? Pure checks over a guide document (no Django, no database):
its scenarios, which outcomes and routes can be reached, whether any result page
contradicts itself, each scenario explained in the editor's words, and the logic map.
`checkguide`, `loadguide`, Publish and the editor's Checks page all read these."""
