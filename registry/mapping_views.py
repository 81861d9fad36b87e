"""The curators' pages of the column mapping, on the public site (/curation/sources/,
accounts.policy.PUBLIC_PAGE_RULES): how a network's or a city's published list comes in.

1. `/curation/sources/`: upload a CSV or XLSX file; the saved profiles, the last files and
   imports.
2. `/curation/sources/fichiers/<id>/`: map the file's columns onto our fields (a first guess
   from their names, or the profile the file's columns fit), the values of each vocabulary's
   column onto our codes, the date format and the list separator; « Appliquer et
   prévisualiser » shows the first rows as they will be stored, with the French errors of each
   row by column; « Enregistrer le profil » saves the mapping to read the list's next editions;
   « Importer » saves it and imports the file through the import service of every source (the
   job queue for a file over 256 Ko), like `manage.py import_source mapping FILE --profile NOM`.
3. `/curation/sources/imports/<id>/`: what an import did, row by row, and its progress while it
   runs in the job queue (the page refreshes itself).

No script is needed: a column newly given a vocabulary's field gets its value choices at the next
« Appliquer et prévisualiser ».
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry import tasks
from registry import vocabularies as v
from registry.member_views import form_errors
from registry.models import ImportRun, MappingProfile, Source, SourceUpload
from registry.services import mapping as services
from registry.services.sources import QUEUE_THRESHOLD_BYTES, source_import
from registry.sources import mapping as m

NONE = "__none__"
SEPARATOR_CHOICES = [
    (";", gettext_lazy("« ; » (point-virgule)")),
    (",", gettext_lazy("« , » (virgule)")),
    ("|", gettext_lazy("« | » (barre verticale)")),
    ("/", gettext_lazy("« / » (barre oblique)")),
    ("\n", gettext_lazy("un retour à la ligne dans la case")),
]


def target_choices():
    """Our fields, grouped as the page shows them; "" leaves the column in the raw row only."""
    groups: dict[str, list] = {}
    for target in m.TARGETS:
        groups.setdefault(str(target.group), []).append((target.name, str(target.label)))
    return [("", _("Ne pas reprendre (reste dans la ligne d'origine)")), *groups.items()]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fichier CSV ou XLSX"),
        help_text=gettext_lazy(
            "La liste telle qu'elle est publiée, la première ligne donnant le nom des colonnes "
            "(CSV en UTF-8, séparateur « ; » ou « , » ; XLSX : la première feuille)."
        ),
    )


class MappingForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Nom du profil"),
        max_length=100,
        help_text=gettext_lazy(
            "Pour relire les prochaines éditions de la même liste, ex. « Réseau IA Occitanie »."
        ),
    )
    description = forms.CharField(
        label=gettext_lazy("Notes sur ce profil (facultatif)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    source = forms.ModelChoiceField(
        label=gettext_lazy("Source de la liste"),
        queryset=Source.objects.filter(adapter=v.SourceAdapterKind.MAPPING),
        required=False,
        empty_label=gettext_lazy("Une nouvelle source, décrite ci-dessous"),
    )
    source_name = forms.CharField(
        label=gettext_lazy("Nom de la source"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Ex. « Observatoire IA des territoires d'Occitanie »."),
    )
    source_publisher = forms.CharField(
        label=gettext_lazy("Qui la publie"), required=False, max_length=200
    )
    source_licence = forms.CharField(
        label=gettext_lazy("Licence"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Ex. « Licence Ouverte 2.0 », « CC BY 4.0 », « ODbL »."),
    )
    source_licence_url = forms.URLField(
        label=gettext_lazy("Adresse du texte de la licence (facultatif)"),
        required=False,
        max_length=500,
        assume_scheme="https",
    )
    source_attribution = forms.CharField(
        label=gettext_lazy("Mention à citer avec chaque fiche"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    source_url = forms.URLField(
        label=gettext_lazy("Adresse de la liste (facultatif)"),
        required=False,
        max_length=500,
        assume_scheme="https",
    )
    source_id_prefix = forms.CharField(
        label=gettext_lazy("Préfixe des identifiants publics"),
        required=False,
        max_length=20,
        help_text=gettext_lazy(
            "Devant l'identifiant de chaque fiche : « RIAO » donne RIAO-12. Majuscules et chiffres."
        ),
    )
    date_format = forms.ChoiceField(
        label=gettext_lazy("Les dates du fichier s'écrivent"), choices=v.MappingDateFormat.choices
    )
    list_separator = forms.ChoiceField(
        label=gettext_lazy("Dans une case, deux thèmes (ou publics, techniques) sont séparés par"),
        choices=SEPARATOR_CHOICES,
    )
    country = forms.CharField(
        label=gettext_lazy("Pays des fiches (code ISO)"),
        max_length=2,
        min_length=2,
        initial="FR",
        help_text=gettext_lazy("FR : les fiches sont rapprochées de l'annuaire des collectivités."),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Essai à blanc : lire et compter, sans rien écrire"), required=False
    )

    def __init__(self, *args, upload: SourceUpload, samples: dict, values: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.upload = upload
        self.column_fields = []
        choices = target_choices()
        for index, column in enumerate(upload.columns):
            name = f"col-{index}"
            examples = samples.get(column) or []
            self.fields[name] = forms.ChoiceField(
                label=column or _("(colonne sans nom)"),
                choices=choices,
                required=False,
                help_text=(
                    _("Exemples : %s") % ", ".join(f"« {e} »" for e in examples)
                    if examples
                    else _("Colonne vide dans les premières lignes.")
                ),
            )
            self.column_fields.append((column, name))
        self.value_groups = []
        for group in values:
            single = group.target.kind in (m.CHOICE,)
            unknown = (
                _("Sans correspondance : la ligne est rejetée")
                if single
                else _("Sans correspondance : non repris, signalé")
            )
            value_choices = [
                (NONE, unknown),
                (m.IGNORE, _("Ne pas reprendre (signalé)")),
                *group.choices,
            ]
            rows = []
            for found in group.values:
                name = services.value_field_name(group.target.name, found.key)
                self.fields[name] = forms.ChoiceField(
                    label=found.text,
                    choices=value_choices,
                    required=False,
                    initial=NONE if found.code is None else found.code,
                )
                rows.append((found, name))
            self.value_groups.append((group, rows))

    def bound_columns(self):
        return [self[name] for _column, name in self.column_fields]

    def bound_values(self):
        return [
            (group, [(found, self[name]) for found, name in rows])
            for group, rows in self.value_groups
        ]

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        if not country.isalpha():
            raise ValidationError(_("Deux lettres, ex. FR."))
        return country

    def clean_source_id_prefix(self):
        return self.cleaned_data["source_id_prefix"].strip().upper()

    def column_map(self) -> dict[str, str]:
        return {
            column: self.cleaned_data[name]
            for column, name in self.column_fields
            if self.cleaned_data.get(name)
        }

    def value_maps(self) -> dict[str, dict[str, str]]:
        maps: dict[str, dict[str, str]] = {}
        for group, rows in self.value_groups:
            for found, name in rows:
                code = self.cleaned_data.get(name, NONE)
                if code != NONE:
                    maps.setdefault(group.target.name, {})[found.key] = code
        return maps

    def new_source(self) -> dict:
        return {
            name: self.cleaned_data.get(f"source_{name}", "") for name in services.SOURCE_FIELDS
        }


def _raw_settings(data, upload: SourceUpload, profile: MappingProfile | None) -> MappingProfile:
    """An unsaved profile from what the page sends (or, first, from the file's profile or a
    guess from the column names): what the value choices and the preview are made from."""
    if data is None:
        base = profile
        column_map = (
            dict(profile.column_map) if profile else services.guess_column_map(upload.columns)
        )
        transient = MappingProfile(
            name=profile.name if profile else "",
            column_map={c: t for c, t in column_map.items() if c in upload.columns},
            value_maps=dict(profile.value_maps) if profile else {},
            date_format=profile.date_format if profile else v.MappingDateFormat.AUTO,
            list_separator=profile.list_separator if profile else ";",
            country=profile.country if profile else "FR",
        )
        if base is not None:
            transient.source_id = base.source_id
        return transient
    column_map = {}
    for index, column in enumerate(upload.columns):
        target = data.get(f"col-{index}", "")
        if target in m.TARGETS_BY_NAME:
            column_map[column] = target
    transient = MappingProfile(
        name=data.get("name", ""),
        column_map=column_map,
        value_maps={},
        date_format=data.get("date_format") or v.MappingDateFormat.AUTO,
        list_separator=data.get("list_separator") or ";",
        country=(data.get("country") or "FR").upper()[:2],
    )
    if transient.date_format not in v.MappingDateFormat.values:
        transient.date_format = v.MappingDateFormat.AUTO
    # The value choices sent, read back through the same field names.
    for group in services.found_values(transient, upload):
        for found in group.values:
            code = data.get(services.value_field_name(group.target.name, found.key), NONE)
            if code != NONE:
                transient.value_maps.setdefault(group.target.name, {})[found.key] = code
    if profile is not None:
        transient.source_id = profile.source_id
    return transient


def _initial(upload: SourceUpload, profile: MappingProfile | None, transient) -> dict:
    initial = {
        "name": profile.name if profile else _("Liste de %(file)s") % {"file": upload.file_name},
        "description": profile.description if profile else "",
        "source": profile.source_id if profile else None,
        "date_format": transient.date_format,
        "list_separator": transient.list_separator,
        "country": transient.country,
    }
    for index, column in enumerate(upload.columns):
        initial[f"col-{index}"] = transient.column_map.get(column, "")
    return initial


def mapping_home(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            upload = services.upload_store(
                content=upload_file.read(), file_name=upload_file.name, actor=request.user
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            if upload.profile is not None:
                messages.info(
                    request,
                    _(
                        "Les colonnes de ce fichier sont celles du profil « %(name)s » : sa "
                        "correspondance est reprise, vérifiez-la."
                    )
                    % {"name": upload.profile.name},
                )
            return redirect("curation:mapping-file", pk=upload.pk)
    response = render(
        request,
        "registry/mapping.html",
        {
            "form": form,
            "profiles": MappingProfile.objects.select_related("source"),
            "uploads": SourceUpload.objects.select_related("profile").defer("content")[:10],
            "runs": ImportRun.objects.filter(adapter=v.SourceAdapterKind.MAPPING)
            .select_related("source")
            .defer("content")[:10],
        },
    )
    if form.errors:
        response.status_code = 400
    return response


def mapping_file(request, pk):
    upload = get_object_or_404(SourceUpload.objects.select_related("profile__source"), pk=pk)
    profile = upload.profile
    data = request.POST if request.method == "POST" else None
    transient = _raw_settings(data, upload, profile)
    values = services.found_values(transient, upload)
    form = MappingForm(
        data,
        upload=upload,
        samples=services.column_samples(upload),
        values=values,
        initial=_initial(upload, profile, transient),
    )
    action = request.POST.get("action", "preview") if data is not None else "preview"
    settings_errors = m.validate_profile(transient, upload.columns)
    if data is not None and form.is_valid() and action in ("save", "import"):
        try:
            saved = services.mapping_profile_save(
                actor=request.user,
                profile=profile
                if profile and profile.name.lower() == form.cleaned_data["name"].strip().lower()
                else None,
                source=form.cleaned_data["source"],
                new_source=form.new_source(),
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                column_map=form.column_map(),
                value_maps=form.value_maps(),
                date_format=form.cleaned_data["date_format"],
                list_separator=form.cleaned_data["list_separator"],
                country=form.cleaned_data["country"],
                columns=list(upload.columns),
            )
            services.upload_attach(upload=upload, profile=saved, actor=request.user)
        except ValidationError as error:
            form_errors(form, error)
        else:
            if action == "save":
                messages.success(
                    request,
                    _(
                        "Profil « %(name)s » enregistré. La commande `import_source mapping "
                        'FICHIER --profile "%(name)s"` le relit aussi.'
                    )
                    % {"name": saved.name},
                )
                return redirect("curation:mapping-file", pk=upload.pk)
            return _import(request, upload, saved, form.cleaned_data["dry_run"])
    preview = None
    if not settings_errors.get("column_map"):
        preview = services.mapping_preview(
            transient,
            upload,
            id_prefix=(data.get("source_id_prefix", "") if data is not None else "")
            or (profile.source.id_prefix if profile else ""),
        )
    response = render(
        request,
        "registry/mapping_file.html",
        {
            "upload": upload,
            "profile": profile,
            "form": form,
            "preview": preview,
            "settings_errors": settings_errors.get("column_map", []),
            "preview_rows": services.PREVIEW_ROWS,
            "scan_rows": services.SCAN_ROWS,
            "queue_threshold": QUEUE_THRESHOLD_BYTES // 1024,
            "large": len(upload.content) > QUEUE_THRESHOLD_BYTES,
        },
    )
    if data is not None and form.errors:
        response.status_code = 400
    return response


def _import(request, upload: SourceUpload, profile: MappingProfile, dry_run: bool):
    adapter = m.MappingAdapter(profile)
    content = bytes(upload.content)
    if len(content) > QUEUE_THRESHOLD_BYTES:
        run = tasks.import_source_enqueue(
            adapter=adapter,
            content=content,
            file_name=upload.file_name,
            actor=request.user,
            dry_run=dry_run,
        )
        messages.info(
            request, _("Le fichier est lu en arrière-plan : cette page montre son avancement.")
        )
    else:
        run = source_import(
            adapter=adapter,
            content=content,
            file_name=upload.file_name,
            actor=request.user,
            dry_run=dry_run,
        )
    return redirect("curation:mapping-run", pk=run.pk)


def mapping_run(request, pk):
    run = get_object_or_404(ImportRun.objects.select_related("source").defer("content"), pk=pk)
    running = run.state in (v.ImportRunState.PENDING, v.ImportRunState.RUNNING)
    counts = {key: run.counts.get(key, 0) for key in services.RUN_COUNTS}
    rejected = [item for item in run.rejections if not item.get("skipped")]
    skipped = [item for item in run.rejections if item.get("skipped")]
    matched = {
        label: run.counts.get(f"match_{rule}", 0)
        for rule, label in v.MatchRule.choices
        if run.counts.get(f"match_{rule}")
    }
    return render(
        request,
        "registry/mapping_run.html",
        {
            "run": run,
            "running": running,
            "counts": counts,
            "rejected": rejected,
            "skipped": skipped,
            "matched": matched,
            "profile": MappingProfile.objects.filter(name=run.profile).first(),
        },
    )


# Mounted by config.urls_public in the curators' namespace ("curation").
mapping_urls = [
    ("sources/", mapping_home, "mapping"),
    ("sources/fichiers/<int:pk>/", mapping_file, "mapping-file"),
    ("sources/imports/<int:pk>/", mapping_run, "mapping-run"),
]
