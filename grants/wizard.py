"""The application form in steps: which steps an application has, in what order, and how each step's
forms are built, checked and saved. Every step saves the draft, so an applicant can leave and resume
at any time; what still stops a submission is grants.eligibility's to say (``application_problems``),
and each of its problems names the step that fixes it.

The views only route: ``page_for(step, application, ...)`` gives a page object whose ``process()``
validates and saves, and whose ``context()`` is what the step's template shows.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from . import eligibility, forms
from .attachments import attachment_create, attachment_delete
from .db import fetch_with_sql_written_once
from .models import Answer, Application, AttachmentKind, QuestionKind, SchemeKind, SchemeQuestion


@dataclass(frozen=True)
class Step:
    slug: str
    title: str

    def applies(self, scheme):
        if self.slug == "partners":
            return scheme.kind == SchemeKind.CHAIN
        if self.slug == "questions":
            return bool(scheme.questions.all())
        return True


STEPS = (
    Step("project", _("Project")),
    Step("circular", _("Circular ambition")),
    Step("results", _("Planned results")),
    Step("costs", _("Costs")),
    Step("partners", _("Partners")),
    Step("questions", _("Questions")),
    Step("attachments", _("Attachments")),
    Step("declarations", _("Declarations")),
)
BY_SLUG = {step.slug: step for step in STEPS}

# PBL's R-ladder in one line per rung, for the circular step (DOMAIN.md "Pilot results").
RUNG_EXPLANATIONS = (
    ("R0", _("Refuse: make a product redundant, or deliver its function another way.")),
    ("R1", _("Rethink: use a product more intensively, for example by sharing it.")),
    ("R2", _("Reduce: use fewer raw materials to make or use a product.")),
    ("R3", _("Reuse: another user reuses a discarded product that is still good.")),
    ("R4", _("Repair: repair and maintain a product so it keeps its function.")),
    ("R5", _("Refurbish: restore and modernise an old product.")),
    ("R6", _("Remanufacture: use parts of a discarded product in a new product with the same function.")),
    ("R7", _("Repurpose: use a discarded product or its parts in a new product with another function.")),
    ("R8", _("Recycle: process materials into raw materials of the same or lower quality.")),
    ("R9", _("Recover: incinerate materials and recover the energy.")),
)


def with_parts(queryset):
    """An application queryset with everything the steps, the review and the detail page show."""
    return queryset.select_related("scheme", "scheme__organisation", "company").prefetch_related(
        "cost_lines", "indicators", "partners", "attachments", "de_minimis_aid",
        Prefetch("answers", queryset=Answer.objects.select_related("question", "attachment")),
        Prefetch("scheme__questions", queryset=SchemeQuestion.objects.order_by("order", "pk")),
    )


def prefetch_parts(application, *, optional):
    """with_parts for one fetched application, skipping the optional lists it is known not to have
    (``optional``: {"partners": bool, ...}); an absent list is cached as empty, so reading it costs nothing.

    Each list present is one query whose SQL is written once per process (grants.db.fetch_with_sql_written_once),
    cached where prefetch_related caches it: Django's prefetch machinery builds and compiles its three to five
    queries anew on every case page (~1.4 ms; ~0.7 ms this way)."""
    scheme = application.scheme
    for name in ("cost_lines", "indicators", "attachments", "partners", "de_minimis_aid", "objections", "answers"):
        manager = getattr(application, name)
        if name == "answers":
            _cache_part(application, name, manager.select_related("question", "attachment"),
                        present=optional.get(name, True))
        else:
            _cache_part(application, name, manager.all(), present=optional.get(name, True))
    _cache_part(scheme, "questions", scheme.questions.order_by("order", "pk"), present=optional.get("questions", True))
    if not optional.get("criteria", True):
        _cache_part(scheme, "criteria", scheme.criteria.all(), present=False)
    return application


def _cache_part(owner, name, queryset, *, present):
    """Cache ``queryset``'s rows as ``owner``'s prefetched ``name`` list: read now if ``present``, else an
    empty ``none()`` that later filters on it cannot turn into a query either. Either way already evaluated, so
    reading it costs no trip through the query compiler (a plain ``.none()`` is compiled on its first read,
    ~0.13 ms each)."""
    if present:
        queryset._result_cache = fetch_with_sql_written_once(queryset, shape=f"{owner._meta.label} {name}")
    else:
        queryset = queryset.none()
        queryset._result_cache = []
    queryset._prefetch_done = True
    owner.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


def steps_for(application):
    return steps_for_scheme(application.scheme)


def steps_for_scheme(scheme):
    return [step for step in STEPS if step.applies(scheme)]


def step_url(application, step):
    return reverse("application_step", args=[application.pk, step.slug])


def problems_by_step(application, problems):
    """[(step, [problem, ...]), ...] for the application's steps in order; steps without problems included."""
    grouped = {}
    for problem in problems:
        grouped.setdefault(problem.step, []).append(problem)
    return [(step, grouped.get(step.slug, [])) for step in steps_for(application)]


def navigation(application, problems, current=None):
    """The step list every step page and the review show: each step done or still to do."""
    return [
        {"step": step, "url": step_url(application, step), "done": not step_problems,
         "current": current is not None and step.slug == current.slug, "number": number}
        for number, (step, step_problems) in enumerate(problems_by_step(application, problems), start=1)
    ]


def first_open_step(application, problems):
    """The first step with something to do, or None when the application is complete."""
    for step, step_problems in problems_by_step(application, problems):
        if step_problems:
            return step
    return None


def next_step(application, step):
    steps = steps_for(application)
    later = [s for s in steps if STEPS.index(s) > STEPS.index(step)]
    return later[0] if later else None


def cost_summary(application):
    """What the costs step shows: eligible costs, the co-funding percentage and the computed request,
    and whether the scheme's maximum capped it."""
    scheme = application.scheme
    eligible = sum((line.amount_excl_vat for line in application.cost_lines.all()), Decimal("0.00"))
    uncapped = eligible * Decimal(scheme.cofunding_percentage) / Decimal(100)
    return {
        "eligible": eligible,
        "percentage": scheme.cofunding_percentage,
        "computed": eligibility.computed_amount(application),
        "capped": uncapped > scheme.max_amount,
        "maximum": scheme.max_amount,
    }


def attachment_overview(application):
    """[(kind label, required, [attachments of that kind]), ...]: the required kinds first, then the others given."""
    required = application.scheme.required_attachment_kinds
    present = {}
    for attachment in application.attachments.all():
        present.setdefault(attachment.kind, []).append(attachment)
    labels = dict(AttachmentKind.choices)
    kinds = required + [kind for kind in present if kind not in required]
    return [(labels.get(kind, kind), kind in required, present.get(kind, [])) for kind in kinds]


def answer_rows(application):
    """[(question label, answer text), ...] in the current language, for the review and the detail page."""
    answers = {answer.question_id: answer for answer in application.answers.all()}
    rows = []
    for question in application.scheme.questions.all():
        answer = answers.get(question.pk)
        rows.append((forms.localised(question, "label"), _answer_text(question, answer)))
    return rows


def _answer_text(question, answer):
    if answer is None or not (answer.value or answer.attachment_id):
        return ""
    if question.kind == QuestionKind.FILE:
        return answer.attachment.original_name if answer.attachment_id else answer.value
    if question.kind == QuestionKind.YES_NO:
        return {"yes": _("Yes"), "no": _("No")}.get(answer.value, answer.value)
    if question.kind == QuestionKind.CHOICE:
        return dict(forms.question_choices(question)).get(answer.value, answer.value)
    return answer.value


# --- the pages ------------------------------------------------------------------------------------


class StepPage:
    """One step: build its forms from the request, ``process()`` to validate and save (True when saved)."""

    multipart = False
    saves = True  # False for a step that only shows (the attachments are saved on their own page)

    def __init__(self, application, *, data=None, files=None, user=None):
        self.application = application
        self.data, self.files, self.user = data, files, user

    @property
    def bound(self):
        return self.data is not None

    def process(self):
        return True

    def context(self):
        return {}


class FormPage(StepPage):
    form_class = None

    @cached_property
    def form(self):
        return self.form_class(self.data, instance=self.application)

    def process(self):
        if not self.form.is_valid():
            return False
        self.form.save()
        return True

    def context(self):
        return {"form": self.form}


class ProjectPage(FormPage):
    form_class = forms.ProjectForm


class CircularPage(FormPage):
    form_class = forms.CircularForm

    def context(self):
        return {"form": self.form, "rungs": RUNG_EXPLANATIONS}


class FormSetPage(StepPage):
    formset_class = None
    prefix = None

    @cached_property
    def formset(self):
        return self.formset_class(self.data, instance=self.application, prefix=self.prefix,
                                  **self.formset_kwargs())

    def formset_kwargs(self):
        return {}

    def process(self):
        if not self.formset.is_valid():
            return False
        with transaction.atomic():
            self.formset.save()
            self.after_save()
        return True

    def after_save(self):
        pass

    def context(self):
        return {"formset": self.formset}


class ResultsPage(FormSetPage):
    formset_class = forms.IndicatorFormSet
    prefix = "indicators"


class CostsPage(FormSetPage):
    formset_class = forms.CostLineFormSet
    prefix = "costs"

    def after_save(self):
        # The request follows from the costs: the applicant never types an amount that does not match them.
        # (A fresh row: the page's own one holds the cost lines as they were before this save.)
        fresh = Application.objects.select_related("scheme").get(pk=self.application.pk)
        self.application.requested_amount = eligibility.computed_amount(fresh)
        self.application.save(update_fields=["requested_amount", "updated_at"])

    def context(self):
        return {"formset": self.formset, "costs": cost_summary(self.application)}


class PartnersPage(FormSetPage):
    formset_class = forms.PartnerFormSet
    prefix = "partners"

    def formset_kwargs(self):
        return {"form_kwargs": {"lead": self.application.company}}


class QuestionsPage(StepPage):
    multipart = True
    _failed_field = None

    @cached_property
    def answers(self):
        return {answer.question_id: answer for answer in self.application.answers.all()}

    @cached_property
    def form(self):
        return forms.QuestionsForm(self.data, self.files, questions=self.application.scheme.questions.all(),
                                   answers=self.answers)

    def process(self):
        if not self.form.is_valid():
            return False
        try:
            with transaction.atomic():
                for question, value in self.form.answers():
                    self._save_answer(question, value)
        except ValidationError as error:
            # attachment_create refused the file (type, size): the answers of this POST are rolled back.
            self.form.add_error(self._failed_field, error)
            return False
        return True

    def _save_answer(self, question, value):
        answer = self.answers.get(question.pk) or Answer(application=self.application, question=question)
        if question.kind == QuestionKind.FILE:
            if not value:
                return
            self._failed_field = f"question_{question.pk}"
            replaced = answer.attachment
            answer.attachment = attachment_create(application=self.application, uploaded_file=value,
                                                  kind=AttachmentKind.ANSWER, user=self.user)
            answer.value = answer.attachment.original_name
            answer.save()
            if replaced is not None:
                attachment_delete(attachment=replaced, user=self.user)
            return
        else:
            answer.value = value
        answer.save()

    def context(self):
        return {"form": self.form}


class AttachmentsPage(StepPage):
    saves = False

    def context(self):
        return {"attachment_kinds": attachment_overview(self.application)}


class DeclarationsPage(StepPage):
    @cached_property
    def de_minimis_form(self):
        return forms.DeMinimisForm(self.data, instance=self.application)

    @cached_property
    def form(self):
        return forms.DeclarationsForm(self.data, instance=self.application)

    @cached_property
    def formset(self):
        return forms.DeMinimisAidFormSet(self.data, instance=self.application, prefix="aid")

    def process(self):
        valid = self.form.is_valid()
        if self.formset.is_valid():
            aid_lines = [f for f in self.formset.forms if f.cleaned_data and f not in self.formset.deleted_forms]
            valid = self.de_minimis_form.check_de_minimis(len(aid_lines)) and valid
        else:
            self.de_minimis_form.is_valid()  # so its own errors show as well
            valid = False
        if not valid:
            return False
        with transaction.atomic():
            # Both forms changed the same application row: one save writes them.
            self.application.save(update_fields=[*forms.DeMinimisForm.Meta.fields, *forms.DeclarationsForm.Meta.fields,
                                                 "updated_at"])
            self.formset.save()
        return True

    def context(self):
        return {"de_minimis_form": self.de_minimis_form, "form": self.form, "formset": self.formset}


PAGES = {
    "project": ProjectPage,
    "circular": CircularPage,
    "results": ResultsPage,
    "costs": CostsPage,
    "partners": PartnersPage,
    "questions": QuestionsPage,
    "attachments": AttachmentsPage,
    "declarations": DeclarationsPage,
}


def page_for(step, application, *, data=None, files=None, user=None):
    return PAGES[step.slug](application, data=data, files=files, user=user)


def summary_context(application, problems=()):
    """What templates/grants/application_summary.html shows: the parts per step, read-only or with
    edit links, for the applicant's review and detail pages and the officer's case page alike."""
    return {
        "sections": [{"step": step, "problems": step_problems, "url": step_url(application, step)}
                     for step, step_problems in problems_by_step(application, problems)],
        "costs": cost_summary(application),
        "attachment_kinds": attachment_overview(application),
        "answers": answer_rows(application),
    }
