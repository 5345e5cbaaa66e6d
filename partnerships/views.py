"""The partner dashboard: pages for users of partner organisations and NCTV staff."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    return render(request, "partnerships/home.html")
