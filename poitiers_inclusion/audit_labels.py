"""The audit log in words: one French sentence per event, from labels each app registers.

The kernel knows no app: each app registers the labels of its own action codes in its
AppConfig.ready(). An action code is "<app>.<model>.<verb>"; a code without a label of its own
(the created/updated/deleted/viewed events written by audited_save and friends for any model) is
told by its verb and the model's name. The raw code stays in the CSV export.
"""

from collections.abc import Callable

from django.apps import apps

from .formatting import display_value

# A label is a sentence, with {key} replaced by the event's detail of that name, or a function
# of the event's details returning the sentence.
Label = str | Callable[[dict], str]

_LABELS: dict[str, Label] = {}

GENERIC_VERBS = {
    "created": "Création",
    "updated": "Modification",
    "deleted": "Suppression",
    "viewed": "Consultation",
    "exported": "Export",
    "anonymised": "Anonymisation",
}


def register_action_labels(labels: dict[str, Label]) -> None:
    _LABELS.update(labels)


def registered_labels() -> dict[str, Label]:
    return dict(_LABELS)


def has_label(action: str) -> bool:
    """Whether the code has a sentence of its own or a known verb (not the last-resort one)."""
    return action in _LABELS or action.rsplit(".", 1)[-1] in GENERIC_VERBS


def _model_name(action: str, target_type=None) -> str:
    model = target_type.model_class() if target_type is not None else None
    if model is None:
        app_label, _, rest = action.partition(".")
        try:
            model = apps.get_model(app_label, rest.split(".")[0])
        except (LookupError, ValueError):
            model = None
    return str(model._meta.verbose_name) if model else "fiche"


def _field_names(names, target_type) -> str:
    model = target_type.model_class() if target_type is not None else None
    labels = []
    for name in names or []:
        try:
            labels.append(str(model._meta.get_field(name).verbose_name))
        except Exception:  # a field since removed, or a reverse relation: its name is all we have
            labels.append(str(name).replace("_", " "))
    return ", ".join(labels) or "aucun"


class _Details(dict):
    def __missing__(self, key):
        return "—"


def describe(action: str, changes: dict | None = None, target_type=None) -> str:
    """The event as a sentence a person reads."""
    changes = changes or {}
    label = _LABELS.get(action)
    if callable(label):
        return label(changes)
    if label is not None:
        return label.format_map(_Details({k: display_value(v) for k, v in changes.items()}))
    verb = action.rsplit(".", 1)[-1]
    name = _model_name(action, target_type)
    sentence = f"{GENERIC_VERBS.get(verb, 'Action enregistrée')} : {name}"
    if "fields" in changes:
        sentence += f" (champs : {_field_names(changes['fields'], target_type)})"
    others = {k: v for k, v in changes.items() if k != "fields"}
    if others:
        sentence += f" — {display_value(others)}"
    return sentence


def describe_event(event) -> str:
    return describe(event.action, event.changes, event.target_type)


def before_after(changes: dict, key: str, labels: dict | None = None) -> str:
    """A [before, after] detail as « avant → après », codes told by their labels."""
    labels = labels or {}
    pair = changes.get(key) or [None, None]
    before, after = (list(pair) + [None, None])[:2]
    return (
        f"{labels.get(before, display_value(before))} → {labels.get(after, display_value(after))}"
    )
