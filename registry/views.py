from django.shortcuts import render

from registry import selectors


def home(request):
    return render(
        request,
        "registry/home.html",
        {
            "collectivites": selectors.collectivite_list(),
            "tools": selectors.tool_list(),
        },
    )
