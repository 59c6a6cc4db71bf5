"""`{% next_step %}`: a new person's next step (join, wait, offer first help) wherever a page shows it."""

from django import template

from exchanges.onboarding import next_step as next_step_for

register = template.Library()


@register.inclusion_tag("members/me/_next_step.html", takes_context=True)
def next_step(context):
    request = context["request"]
    step = next_step_for(user=request.user) if request.user.is_authenticated else None
    return {"step": step, "request": request}
