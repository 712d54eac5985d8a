# Filled in by issue 4 (result permalinks).
urlpatterns: list = []
