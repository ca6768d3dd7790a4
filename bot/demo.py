"""Sample data for trying maintbot: two providers and a season of maintenance, past, present and future.

Everything is created through the domain services, exactly as users would create it, so the rows,
the audit trail and the notices are the real thing. The services are built on a `ManualClock` that
is moved to each moment of the story before acting, so `created`, `actual_start` and `actual_end`
land where they would have (days ago, an hour ago, tonight), relative to the time of loading.

Scheduled times sit on night-time windows counted from today's midnight UTC; the one announcement
in progress is counted from the current hour so that it is always running when the demo is loaded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from bot.domain.actors import Actor
from bot.domain.announcements import AffectedInput
from bot.domain.clock import ManualClock, SystemClock
from bot.domain.enums import Action, Impact, Interface, MaintenanceType, State
from bot.domain.errors import DomainError
from bot.domain.service import Services, build_services
from storage.db import Database

CLOUD = "Cloud Platform"
STORAGE = "Storage"
ALICE, BOB, CAROL, DAVE = "UDEMOALICE", "UDEMOBOB", "UDEMOCAROL", "UDEMODAVE"


@dataclass(frozen=True)
class ProviderSpec:
    name: str
    channel_id: str
    stats_channel_id: str | None
    manager_users: tuple[str, ...]
    manager_groups: tuple[str, ...]
    offerings: tuple[str, ...]
    auto_start: bool = False


PROVIDERS = (
    ProviderSpec(
        CLOUD,
        "CDEMOCLOUD",
        "CDEMOSTATS",
        (ALICE,),
        ("SDEMOCLOUDOPS",),
        ("Virtual machines", "Kubernetes", "Load balancers", "Identity and SSO"),
    ),
    ProviderSpec(
        STORAGE,
        "CDEMOSTORAGE",
        "CDEMOSTATS",
        (BOB, CAROL),
        (),
        ("Object storage", "Block storage", "File shares (NFS)", "Backup"),
    ),
)
# (channel, offering or provider it follows, who subscribed it)
SUBSCRIPTIONS = (
    ("CDEMOAPPS", f"{CLOUD}/Kubernetes", DAVE),
    ("CDEMORESEARCH", STORAGE, DAVE),
)


@dataclass(frozen=True)
class TemplateSpec:
    name: str
    provider: str
    manager: str
    maintenance_type: MaintenanceType
    message: str
    offerings: tuple[tuple[str, Impact, str], ...]


PATCHING = "Monthly hypervisor patching"
TEMPLATES = (
    TemplateSpec(
        PATCHING,
        CLOUD,
        ALICE,
        MaintenanceType.PATCH,
        "Security and stability patches for the hypervisors. Virtual machines are live-migrated "
        "between hosts; each one pauses for a few seconds.",
        (
            ("Virtual machines", Impact.DEGRADED, "Live migration: each VM pauses for up to 30 seconds."),
            ("Kubernetes", Impact.NONE, "Worker nodes are drained one at a time."),
        ),
    ),
    TemplateSpec(
        "Storage firmware update",
        STORAGE,
        BOB,
        MaintenanceType.PATCH,
        "Firmware update of the storage controllers, one controller at a time.",
        (("Block storage", Impact.DEGRADED, "Higher latency while a controller restarts."),),
    ),
)


@dataclass(frozen=True)
class Story:
    """One announcement and what happens to it.

    `start` is counted from today's midnight UTC (or from the current hour when `from_hour`);
    `drafted` and the step times of SCHEDULE and CANCEL are counted back from the scheduled start,
    START from the scheduled start and COMPLETE from the scheduled end.
    """

    name: str
    provider: str
    manager: str
    maintenance_type: MaintenanceType
    start: timedelta
    duration: timedelta
    drafted: timedelta
    steps: tuple[tuple[Action, timedelta], ...] = ()
    affected: tuple[tuple[str, Impact, str], ...] = ()
    message: str = ""
    internal_notes: str = ""
    url: str = ""
    template: str | None = None
    from_hour: bool = False


def _days(days: float, hours: float = 0, minutes: float = 0) -> timedelta:
    return timedelta(days=days, hours=hours, minutes=minutes)


def _minutes(minutes: float) -> timedelta:
    return timedelta(minutes=minutes)


STORIES = (
    Story(  # Completed, on time
        PATCHING,
        CLOUD,
        ALICE,
        MaintenanceType.PATCH,
        start=_days(-27, 2),
        duration=_days(0, 2),
        drafted=_days(7),
        steps=((Action.SCHEDULE, _days(6)), (Action.START, _minutes(1)), (Action.COMPLETE, _minutes(-12))),
        template=PATCHING,
        internal_notes="Runbook: wiki/ops/hypervisor-patching",
    ),
    Story(  # Completed with an overrun
        "Ceph upgrade to Reef (18.2)",
        STORAGE,
        BOB,
        MaintenanceType.UPGRADE,
        start=_days(-12, 1),
        duration=_days(0, 3),
        drafted=_days(8),
        steps=((Action.SCHEDULE, _days(7)), (Action.START, _minutes(4)), (Action.COMPLETE, _minutes(95))),
        affected=(
            ("Object storage", Impact.PARTIAL, "Writes pause while the monitors restart."),
            ("Block storage", Impact.DEGRADED, "Higher latency while placement groups rebalance."),
        ),
        message="Upgrade of the Ceph cluster behind object and block storage to the Reef release.",
        internal_notes="Overran: placement-group rebalancing after the last OSD restart. See the postmortem.",
        url="https://status.example.org/maintenance/ceph-reef",
    ),
    Story(  # Completed, started late
        "OpenSSL security update on the load balancers",
        CLOUD,
        ALICE,
        MaintenanceType.SECURITY,
        start=_days(-6, 3),
        duration=_days(0, 1),
        drafted=_days(1, 2),
        steps=((Action.SCHEDULE, _days(1)), (Action.START, _minutes(25)), (Action.COMPLETE, _minutes(8))),
        affected=(("Load balancers", Impact.DEGRADED, "Open connections are reset once per node."),),
        message="Patched OpenSSL on every load balancer node, one node at a time.",
    ),
    Story(  # Completed early, an emergency
        "Replace the failed NFS controller",
        STORAGE,
        CAROL,
        MaintenanceType.EMERGENCY,
        start=_days(-3, 14),
        duration=_days(0, 2),
        drafted=_minutes(40),
        steps=((Action.SCHEDULE, _minutes(35)), (Action.START, _minutes(0)), (Action.COMPLETE, _minutes(-70))),
        affected=(("File shares (NFS)", Impact.FULL, "NFS exports are unavailable while the controller is swapped."),),
        message="A controller of the NFS filer failed; the standby is degraded. Swapping in the spare now.",
        internal_notes="Vendor case 4471-2291; spare part on site.",
    ),
    Story(  # In progress, started a few minutes after its start, an hour ago
        "Kubernetes control plane upgrade to 1.31",
        CLOUD,
        ALICE,
        MaintenanceType.UPGRADE,
        start=_days(0, -1),
        duration=_days(0, 3),
        drafted=_days(5),
        steps=((Action.SCHEDULE, _days(4)), (Action.START, _minutes(3))),
        affected=(
            ("Kubernetes", Impact.PARTIAL, "The Kubernetes API is unavailable for up to 5 minutes per node."),
            ("Load balancers", Impact.NONE, "Ingress keeps serving traffic."),
        ),
        message="Control-plane nodes are upgraded one by one; running workloads are not affected.",
        url="https://kubernetes.io/blog/2024/08/13/kubernetes-v1-31-release/",
        from_hour=True,
    ),
    Story(  # Scheduled, tomorrow night
        "Backup storage expansion",
        STORAGE,
        BOB,
        MaintenanceType.SCHEDULED,
        start=_days(1, 22),
        duration=_days(0, 4),
        drafted=_days(3, 22),
        steps=((Action.SCHEDULE, _days(3, 21)),),
        affected=(("Backup", Impact.DEGRADED, "Backup jobs are queued and run after the window."),),
        message="New disk shelves are added to the backup cluster.",
    ),
    Story(  # Scheduled, in three days
        "Identity provider certificate rotation",
        CLOUD,
        ALICE,
        MaintenanceType.SECURITY,
        start=_days(3, 6),
        duration=_minutes(30),
        drafted=_days(4, 6),
        steps=((Action.SCHEDULE, _days(4, 5)),),
        affected=(("Identity and SSO", Impact.NONE, "Sessions stay valid; clients pinning the old certificate fail."),),
        message="The signing certificate of the identity provider is rotated.",
    ),
    Story(  # Scheduled, next week
        "Core network switch firmware upgrade",
        CLOUD,
        ALICE,
        MaintenanceType.UPGRADE,
        start=_days(8, 1),
        duration=_days(0, 4),
        drafted=_days(11, 1),
        steps=((Action.SCHEDULE, _days(9, 1)),),
        affected=(
            ("Virtual machines", Impact.PARTIAL, "Network interruptions of under a minute, rack by rack."),
            ("Load balancers", Impact.PARTIAL, "Each load balancer pair fails over once."),
            ("Identity and SSO", Impact.DEGRADED, "Logins may be slow."),
        ),
        message="Firmware upgrade of the core switches in both server rooms.",
        internal_notes="Change request CR-2231 approved by the network team.",
        url="https://status.example.org/maintenance/core-switches",
    ),
    Story(  # Draft, from the template
        PATCHING,
        CLOUD,
        ALICE,
        MaintenanceType.PATCH,
        start=_days(13, 2),
        duration=_days(0, 2),
        drafted=_days(14, 2),
        template=PATCHING,
        internal_notes="Check the kernel advisory list before publishing.",
    ),
    Story(  # Draft, far ahead
        "Object storage migration to the new data centre",
        STORAGE,
        CAROL,
        MaintenanceType.UPGRADE,
        start=_days(30),
        duration=_days(0, 8),
        drafted=_days(31),
        affected=(("Object storage", Impact.FULL, "Buckets are read-only during the final synchronisation."),),
        message="Object storage moves to the new data centre; endpoints and credentials stay the same.",
        internal_notes="Waiting for the network team to confirm the cross-site links.",
    ),
    Story(  # Cancelled after it was published
        "Identity provider database migration",
        CLOUD,
        ALICE,
        MaintenanceType.UPGRADE,
        start=_days(-9, 2),
        duration=_days(0, 2),
        drafted=_days(7),
        steps=((Action.SCHEDULE, _days(6)), (Action.CANCEL, _days(1, 4))),
        affected=(("Identity and SSO", Impact.PARTIAL, "No new logins during the migration."),),
        message="The identity provider's database moves to the new PostgreSQL cluster.",
        internal_notes="Postponed: the vendor withdrew the patch we depend on.",
    ),
    Story(  # Cancelled while still a draft
        "Block storage rebalancing",
        STORAGE,
        BOB,
        MaintenanceType.SCHEDULED,
        start=_days(5, 1),
        duration=_days(0, 3),
        drafted=_days(9, 1),
        steps=((Action.CANCEL, _days(7, 1)),),
        affected=(("Block storage", Impact.DEGRADED, "Higher latency while volumes move."),),
        internal_notes="Not needed after the Reef upgrade.",
    ),
)


class DemoAlreadyLoaded(DomainError):
    """The demo's providers exist already; loading it twice would duplicate everything else."""


@dataclass
class DemoSummary:
    providers: int = 0
    offerings: int = 0
    templates: int = 0
    subscriptions: int = 0
    states: Counter[State] = field(default_factory=Counter)

    @property
    def announcements(self) -> int:
        return sum(self.states.values())

    def lines(self) -> list[str]:
        by_state = ", ".join(f"{state.label} {self.states[state]}" for state in State if self.states[state])
        return [
            f"loaded demo data: {self.providers} service providers, {self.offerings} offerings, "
            f"{self.templates} templates, {self.subscriptions} channel subscriptions, "
            f"{self.announcements} announcements",
            f"announcements by state: {by_state}",
        ]


def load_demo(
    db: Database,
    *,
    admins: frozenset[str] = frozenset(),
    now: datetime | None = None,
    if_empty: bool = False,
    interface: Interface = Interface.CLI,
) -> DemoSummary | None:
    """Load the demo through the services; None when `if_empty` and providers exist already."""
    now = (now or SystemClock().now()).astimezone(UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    hour = now.replace(minute=0, second=0, microsecond=0)
    clock = ManualClock(midnight - timedelta(days=60))
    services = build_services(db, clock, admins=admins)
    existing = {provider.name for provider in services.catalog.providers()}
    if existing and if_empty:
        return None
    if clashes := sorted(existing & {spec.name for spec in PROVIDERS}):
        raise DemoAlreadyLoaded(f"the demo data looks loaded already: service provider {clashes[0]!r} exists.")

    summary = DemoSummary()
    admin = Actor.system(interface)
    for spec in PROVIDERS:
        services.catalog.add_provider(
            admin,
            spec.name,
            spec.channel_id,
            stats_channel_id=spec.stats_channel_id,
            manager_users=spec.manager_users,
            manager_groups=spec.manager_groups,
            auto_start=spec.auto_start,
        )
        for offering in spec.offerings:
            services.catalog.add_offering(admin, offering, spec.name)
        summary.providers += 1
        summary.offerings += len(spec.offerings)

    clock.set(midnight - timedelta(days=45))
    for channel, target, user in SUBSCRIPTIONS:
        services.subscriptions.subscribe(Actor(user, interface), channel, target)
        summary.subscriptions += 1

    clock.set(midnight - timedelta(days=40))
    templates = {spec.name: _template(services, spec, interface) for spec in TEMPLATES}
    summary.templates = len(templates)

    timeline: list[tuple[datetime, int, Callable[[], None]]] = []
    for story in STORIES:
        timeline.extend(_story(services, story, templates, midnight, hour, interface, summary))
    for moment, _, act in sorted(timeline, key=lambda event: event[:2]):
        clock.set(min(moment, now))
        act()
    return summary


def _template(services: Services, spec: TemplateSpec, interface: Interface) -> UUID:
    template = services.templates.create(
        Actor(spec.manager, interface),
        {
            "name": spec.name,
            "message": spec.message,
            "maintenance_type": int(spec.maintenance_type),
            "provider": spec.provider,
            "offerings": [AffectedInput(offering, int(impact), text) for offering, impact, text in spec.offerings],
        },
    )
    return template.uuid


def _story(
    services: Services,
    story: Story,
    templates: dict[str, UUID],
    midnight: datetime,
    hour: datetime,
    interface: Interface,
    summary: DemoSummary,
) -> list[tuple[datetime, int, Callable[[], None]]]:
    """The moments of one story, each with what happens then; run in time order across all stories."""
    actor = Actor(story.manager, interface)
    start = (hour if story.from_hour else midnight) + story.start
    end = start + story.duration
    created: dict[str, Any] = {}  # the announcement's uuid and state, once drafted

    def draft() -> None:
        fields = {
            "name": story.name,
            "maintenance_type": int(story.maintenance_type),
            "internal_notes": story.internal_notes,
            "external_reference_url": story.url,
        }
        if story.message:
            fields["message"] = story.message
        if story.template:
            announcement = services.templates.instantiate(actor, templates[story.template], start, end, **fields)
        else:
            fields |= {"provider": story.provider, "scheduled_start": start, "scheduled_end": end}
            fields["affected"] = [AffectedInput(name, int(impact), text) for name, impact, text in story.affected]
            announcement = services.announcements.create(actor, fields)
        created.update(uuid=announcement.uuid, state=announcement.state)
        summary.states[announcement.state] += 1

    def step(action: Action) -> Callable[[], None]:
        def act() -> None:
            announcement = services.announcements.transition(actor, created["uuid"], action)
            summary.states[created["state"]] -= 1
            summary.states[announcement.state] += 1
            created["state"] = announcement.state

        return act

    order = STORIES.index(story) * 10
    moments = [(start - story.drafted, order, draft)]
    for offset, (action, delta) in enumerate(story.steps, start=1):
        if action in (Action.SCHEDULE, Action.UNSCHEDULE, Action.CANCEL):
            moment = start - delta
        elif action is Action.START:
            moment = start + delta
        else:
            moment = end + delta
        moments.append((moment, order + offset, step(action)))
    return moments
