from django.shortcuts import render

from casestudies import selectors


def usecase_list(request):
    return render(request, "casestudies/usecase_list.html", {"use_cases": selectors.usecase_list()})


def usecase_detail(request, public_id):
    return render(
        request, "casestudies/usecase_detail.html", {"use_case": selectors.usecase_get(public_id)}
    )
