"""The curators' pages on the public site: the queue of pending submissions and the review page
of one submission, where a curator publishes it or asks for corrections. Who may open them is
accounts.policy.PUBLIC_PAGE_RULES (the middleware asks it); a decision is
casestudies.curation.services.submission_decide, the same call as the API's."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casestudies.curation import review, services
from registry import selectors
from registry.models import Submission
from registry.vocabularies import SubmissionState

REQUEST_CHANGES_NEEDS_A_COMMENT = gettext_lazy(
    "Dites ce qui doit être corrigé : ce commentaire est envoyé à la collectivité."
)


class ReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("approve", gettext_lazy("Publier")),
            ("request_changes", gettext_lazy("Demander des corrections")),
        ]
    )
    comment = forms.CharField(
        label=gettext_lazy("Commentaire pour la collectivité"),
        help_text=gettext_lazy(
            "Obligatoire pour demander des corrections : dites ce qui doit changer. "
            "Facultatif pour publier."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "request_changes" and not data.get("comment", "").strip():
            self.add_error("comment", REQUEST_CHANGES_NEEDS_A_COMMENT)
        return data


def queue(request):
    pending = list(selectors.review_queue())
    kinds = review.queue_kinds(pending)
    return render(
        request,
        "casestudies/curation/queue.html",
        {"submissions": [(s, kinds[s.pk]) for s in pending]},
    )


def review_page(request, pk):
    submission = get_object_or_404(
        Submission.objects.select_related("collectivite", "submitted_by", "decided_by"), pk=pk
    )
    pending = submission.state == SubmissionState.PENDING
    form = ReviewDecisionForm(request.POST or None)
    if request.method == "POST":
        if not pending:
            messages.error(request, _("Cette soumission a déjà été examinée."))
            return redirect("curation:review", pk=submission.pk)
        if form.is_valid():
            try:
                services.submission_decide(
                    submission=submission,
                    decision=form.cleaned_data["decision"],
                    actor=request.user,
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("comment", message)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("« %(title)s » : %(decision)s. La collectivité est prévenue par courriel.")
                    % {
                        "title": submission.title,
                        "decision": submission.get_state_display().lower(),
                    },
                )
                return redirect("curation:queue")
    return render(
        request,
        "casestudies/curation/review.html",
        {
            "submission": submission,
            "pending": pending,
            "form": form,
            **review.review(submission),
        },
    )
