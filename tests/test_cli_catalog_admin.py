"""An admin keeps the catalog tidy from the command line: `provider set|remove`, `offering rename|remove`.

Run as an operator runs them (`bot.cli.main` with DATABASE_URL, see tests/test_cli.py), on both backends where
the database decides (what a removal takes with it, what keeps a provider or an offering in place).
"""

# The command-line fixtures of tests/test_cli.py, imported so pytest finds them here: parameters named like them.
# ruff: noqa: F811

from __future__ import annotations

from bot.domain.actors import Actor
from bot.domain.enums import Interface, State
from tests.factories import announce
from tests.test_cli import Maintbot, any_backend, assert_one_error_line, fresh_postgres, maintbot  # noqa: F401

ADMIN = Actor.system(Interface.CLI)


def cloud_with_vms(cli: Maintbot) -> str:
    provider = cli("provider", "add", "Cloud", "--channel", "C0CLOUD01", "--managers", "U0ALICE1")
    assert provider.returncode == 0, provider.stderr
    assert cli("offering", "add", "VMs", "--provider", "Cloud").returncode == 0
    return provider.last_line


def row_of(listing: str, name: str) -> str:
    return next(line for line in listing.splitlines() if name in line)


# -- provider set ----------------------------------------------------------------------------------


def test_provider_set_changes_only_the_settings_given_and_list_shows_them(any_backend):
    cloud_with_vms(any_backend)

    changed = any_backend("provider", "set", "Cloud", "--channel", "C0NEWCHAN", "--stats-channel", "C0STATS01",
                          "--managers", "U0BOB002,U0CAROL3", "--manager-groups", "S0OPS001", "--reminders", "2h")

    assert changed.returncode == 0, changed.stderr
    assert "updated service provider 'Cloud'" in changed.stdout
    row = row_of(any_backend("provider", "list").stdout, "Cloud")
    assert "C0NEWCHAN" in row and "C0STATS01" in row and "2h" in row
    assert "U0BOB002, U0CAROL3, S0OPS001" in row and "U0ALICE1" not in row
    provider = any_backend.services().catalog.provider("Cloud")
    assert provider.auto_start is False  # not given, not changed


def test_provider_set_with_empty_values_clears_the_optional_settings(maintbot):
    cloud_with_vms(maintbot)
    maintbot("provider", "set", "Cloud", "--stats-channel", "C0STATS01", "--reminders", "2h")

    cleared = maintbot("provider", "set", "Cloud", "--stats-channel", "", "--reminders", "", "--managers", "")

    assert cleared.returncode == 0, cleared.stderr
    provider = maintbot.services().catalog.provider("Cloud")
    assert (provider.stats_channel_id, provider.reminders, provider.manager_users) == (None, None, ())
    assert "reminders default" in cleared.stdout


def test_provider_set_renames_and_says_when_nothing_changed(maintbot):
    cloud_with_vms(maintbot)

    renamed = maintbot("provider", "set", "cloud", "--name", "Cloud Platform")
    again = maintbot("provider", "set", "Cloud Platform", "--channel", "C0CLOUD01")

    assert "updated service provider 'Cloud Platform'" in renamed.stdout
    assert "service provider 'Cloud Platform': nothing changed" in again.stdout


def test_provider_set_with_a_bad_channel_is_one_error_line_and_changes_nothing(maintbot):
    cloud_with_vms(maintbot)

    refused = maintbot("provider", "set", "Cloud", "--channel", "general", "--reminders", "2h")

    assert_one_error_line(refused, "'general' is not a Slack channel id")
    provider = maintbot.services().catalog.provider("Cloud")
    assert (provider.channel_id, provider.reminders) == ("C0CLOUD01", None)


# -- provider remove -------------------------------------------------------------------------------


def test_provider_remove_takes_its_offerings_subscriptions_and_tokens_with_it(any_backend):
    cloud_with_vms(any_backend)
    any_backend("provider", "add", "Storage", "--channel", "C0STORE01")
    services = any_backend.services()
    services.subscriptions.subscribe(ADMIN, "C0TEAM001", "Cloud/VMs")
    secret = any_backend("token", "create", "--provider", "Cloud").last_line

    removed = any_backend("provider", "remove", "Cloud")

    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.strip() == (
        "removed service provider 'Cloud', with 1 offering(s), 1 channel subscription(s), 1 API token(s)")
    assert "Cloud" not in any_backend("provider", "list").stdout
    assert "VMs" not in any_backend("offering", "list").stdout
    assert services.subscriptions.of_channel("C0TEAM001") == []
    assert services.tokens.authenticate(secret) is None
    assert "Storage" in any_backend("provider", "list").stdout


def test_provider_remove_is_refused_while_announcements_refer_to_it(any_backend):
    cloud_with_vms(any_backend)
    services = any_backend.services()
    done = announce(services, ADMIN, State.COMPLETED, name="Old kernel upgrade")

    refused = any_backend("provider", "remove", "Cloud")

    assert_one_error_line(refused, "Service provider 'Cloud' stays: 1 announcement(s) refer to it",
                          f"{done.uuid.hex[:8]} 'Old kernel upgrade'", "/maint delete")
    assert "Cloud" in any_backend("provider", "list").stdout
    assert "VMs" in any_backend("offering", "list").stdout


def test_provider_remove_is_refused_while_another_providers_announcement_affects_its_offering(maintbot):
    cloud_with_vms(maintbot)
    maintbot("provider", "add", "Storage", "--channel", "C0STORE01")
    announce(maintbot.services(), ADMIN, State.SCHEDULED, provider="Storage", affected=[{"offering": "Cloud/VMs"}])

    refused = maintbot("provider", "remove", "Cloud")

    assert_one_error_line(refused, "Service provider 'Cloud' stays: 1 announcement(s)", "'Kernel upgrade'")


def test_provider_remove_of_an_unknown_provider_is_one_error_line(maintbot):
    assert_one_error_line(maintbot("provider", "remove", "Nope"), "No service provider matches 'Nope'")


# -- offering rename and remove --------------------------------------------------------------------


def test_offering_rename_shows_the_new_name_everywhere_it_is_listed(any_backend):
    cloud_with_vms(any_backend)
    services = any_backend.services()
    announcement = announce(services, ADMIN, State.SCHEDULED, affected=[{"offering": "VMs"}])

    renamed = any_backend("offering", "rename", "VMs", "Virtual machines", "--provider", "Cloud")

    assert renamed.returncode == 0, renamed.stderr
    assert "offering 'Cloud/VMs' of Cloud is now called 'Virtual machines'" in renamed.stdout
    listed = any_backend("offering", "list").stdout
    assert "Virtual machines" in listed and "VMs" not in listed
    (affected,) = services.announcements.get(ADMIN, announcement.uuid).affected
    assert affected.offering.name == "Virtual machines"


def test_offering_rename_to_a_name_its_provider_has_is_refused(maintbot):
    cloud_with_vms(maintbot)
    maintbot("offering", "add", "Object storage", "--provider", "Cloud")

    refused = maintbot("offering", "rename", "Cloud/VMs", "object STORAGE")
    blank = maintbot("offering", "rename", "Cloud/VMs", "  ")

    assert_one_error_line(refused, "Cloud already has an offering named 'object STORAGE'")
    assert_one_error_line(blank, "A name of 1 to 150 characters is required")
    assert "VMs" in maintbot("offering", "list").stdout


def test_offering_remove_is_refused_while_an_announcement_marks_it_affected(any_backend):
    cloud_with_vms(any_backend)
    services = any_backend.services()
    cancelled = announce(services, ADMIN, State.CANCELLED, name="Network swap", affected=[{"offering": "VMs"}])

    refused = any_backend("offering", "remove", "Cloud/VMs")

    assert_one_error_line(refused, "Offering Cloud/VMs stays: 1 announcement(s) refer to it",
                          f"{cancelled.uuid.hex[:8]} 'Network swap'")
    assert "VMs" in any_backend("offering", "list").stdout

    services.announcements.delete(ADMIN, cancelled.uuid)
    removed = any_backend("offering", "remove", "Cloud/VMs")

    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.strip() == "removed offering 'Cloud/VMs', with nothing else"
    assert "VMs" not in any_backend("offering", "list").stdout


def test_offering_remove_takes_its_subscriptions_and_template_mentions_with_it(maintbot):
    cloud_with_vms(maintbot)
    services = maintbot.services()
    services.subscriptions.subscribe(ADMIN, "C0TEAM001", "Cloud/VMs")
    services.templates.create(ADMIN, {"name": "Reboot", "provider": "Cloud",
                                      "offerings": [{"offering": "Cloud/VMs"}]})

    removed = maintbot("offering", "remove", "VMs")

    assert removed.stdout.strip() == (
        "removed offering 'Cloud/VMs', with 1 template mention(s), 1 channel subscription(s)")
    assert services.subscriptions.of_channel("C0TEAM001") == []
    (template,) = services.templates.list(ADMIN).items
    assert template.offerings == ()
