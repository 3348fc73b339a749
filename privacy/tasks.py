from celery import shared_task


@shared_task(name="privacy.tasks.retention_apply")
def retention_apply():
    from .services import retention_apply as apply

    return apply()
