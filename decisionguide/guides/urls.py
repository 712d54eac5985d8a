"""Reading pages: the guide list, a guide, and a guide's linked pages."""

from django.urls import path

from decisionguide.guides import views

urlpatterns = [
    path("", views.index, name="index"),
    path("guides/<slug:slug>/", views.guide_detail, name="guide-detail"),
    path("guides/<slug:slug>/pages/<slug:page_slug>/", views.linked_page, name="linked-page"),
    path("guides/<slug:slug>/review/<str:token>/", views.review_link, name="review-link"),
]
