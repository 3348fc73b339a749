from .applications import (
    application_approve,
    application_propose,
    application_propose_not_considered,
    application_request_info,
    application_send_back,
    application_start_review,
    application_submit,
    application_supply_info,
    application_withdraw,
)
from .assessment import application_score, draw_perform, draw_publish
from .core import allowed_transitions, run_transition, timeline
from .letters import (
    application_extend,
    application_register_default_notice,
    letter_mark_posted,
    post_list_for,
)

__all__ = [
    "allowed_transitions",
    "application_approve",
    "application_extend",
    "application_register_default_notice",
    "letter_mark_posted",
    "post_list_for",
    "application_propose",
    "application_propose_not_considered",
    "application_request_info",
    "application_score",
    "application_send_back",
    "application_start_review",
    "application_submit",
    "application_supply_info",
    "application_withdraw",
    "draw_perform",
    "draw_publish",
    "run_transition",
    "timeline",
]
