from django.urls import path

from . import card_views

app_name = "cards"
urlpatterns = [
    path("<int:pk>/supervise/", card_views.card_supervise, name="supervise"),
    path("letters/<int:pk>/", card_views.supervision_letter, name="letter"),
    path("letters/<int:pk>/letter.docx", card_views.supervision_letter_docx, name="letter_docx"),
]
