from django.urls import reverse

from branches.models import Branch
from reminders.models import Notification


def test_bell_counts_unread_and_opening_marks_read(login, secretary_a):
    notification = Notification.objects.create(recipient=secretary_a, title="提醒", body="王从未 13500001111")
    client = login(secretary_a)
    assert 'data-unread="1"' in client.get(reverse("reminders:badge")).content.decode()
    response = client.get(reverse("reminders:detail", args=[notification.pk]))
    assert "王从未" in response.content.decode()
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "data-unread" not in client.get(reverse("reminders:badge")).content.decode()


def test_nobody_opens_another_persons_notification(login, secretary_a, secretary_b):
    notification = Notification.objects.create(recipient=secretary_b, title="提醒", body="x")
    assert login(secretary_a).get(reverse("reminders:detail", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def _post_settings(client, branch, **data):
    values = {"weekdays": ["1", "8"], "reminder_time": "08:30", "webhook_url": ""}
    values.update(data)
    return client.post(reverse("branches:reminders", args=[branch.pk]), values)


def test_secretary_edits_their_branch_reminder_days(login, secretary_a):
    response = _post_settings(login(secretary_a), secretary_a.branch, weekdays=["2", "16"], reminder_time="09:15")
    assert response.status_code == 302
    branch = Branch.objects.get(pk=secretary_a.branch.pk)
    assert branch.reminder_weekdays == 2 | 16 and branch.reminder_time.strftime("%H:%M") == "09:15"


def test_secretary_cannot_edit_another_branch(login, secretary_a, branch_b):
    assert _post_settings(login(secretary_a), branch_b, weekdays=["2"]).status_code == 404
    branch_b.refresh_from_db()
    assert branch_b.reminder_weekdays == 1 | 8


def test_bad_schedule_and_webhook_are_refused_in_chinese(login, office, branch_a):
    client = login(office)
    response = _post_settings(client, branch_a, weekdays=[])
    assert "请至少选择一个提醒日" in response.content.decode()
    response = _post_settings(client, branch_a, webhook_url="ftp://example.org/hook")
    assert "https://" in " ".join(response.context["form"].errors["webhook_url"])
    response = _post_settings(client, branch_a, webhook_url="https://no-such-host.invalid/hook")
    assert "qyapi.weixin.qq.com" in " ".join(response.context["form"].errors["webhook_url"])
    branch_a.refresh_from_db()
    assert (branch_a.reminder_weekdays, branch_a.webhook_url) == (1 | 8, "")


def test_refused_reminder_settings_say_nothing_was_saved(login, office, branch_a):
    response = _post_settings(login(office), branch_a, weekdays=[])
    assert [str(message) for message in response.context["messages"]] == ["未保存：请修改下面标出的内容。"]


def test_holiday_calendar_is_for_office_staff(login, secretary_a, office):
    assert login(secretary_a).get(reverse("reminders:holidays")).status_code == 403
    client = login(office)
    response = client.post(reverse("reminders:holidays"), {"date": "2026-10-01", "kind": "holiday", "name": "国庆节"})
    assert response.status_code == 302
    page = client.get(reverse("reminders:holidays")).content.decode()
    assert "国庆节" in page
    assert "调休上班日只会收到从节假日顺延过来的提醒" in page  # the office is told before it is surprised


def test_the_notification_centre_sets_alerts_apart_in_constant_queries(
    login, secretary_a, retiree_a, django_assert_num_queries
):
    from reminders.models import Reminder

    def alert(number):
        reminder = Reminder.objects.create(
            kind="alert",
            period="2026-12-01",
            recipient=secretary_a,
            retiree=retiree_a,
            episode=f"contact:{number}",
            subject=f"紧急：曾宪梅 {number}",
            text="x",
        )
        Notification.objects.create(recipient=secretary_a, reminder=reminder, title=reminder.subject, body="x")

    Notification.objects.create(recipient=secretary_a, title="联络提醒", body="x")  # a digest's
    alert(1)
    client = login(secretary_a)
    # session, user, the paginator's count, the page of notifications with their alert flag, and
    # the user's branch for the navigation
    with django_assert_num_queries(5):
        page = client.get(reverse("reminders:list")).content.decode()
    assert page.count("紧急提醒") == 1 and page.count("notification-alert") == 1
    for number in range(2, 12):
        alert(number)
    with django_assert_num_queries(5):
        page = client.get(reverse("reminders:list")).content.decode()
    assert page.count("notification-alert") == 11
    detail = client.get(
        reverse("reminders:detail", args=[Notification.objects.filter(reminder__isnull=False).first().pk])
    )
    assert "紧急提醒" in detail.content.decode()
    assert f'href="/retirees/{retiree_a.pk}/"' in detail.content.decode()  # the button to act
