"""Templates: stored presets for announcements, and "new announcement from template".

The seed has no server-side "create from template"; we add one (`instantiate`) because operators
repeat the same kinds of maintenance, and copying fields by hand is where mistakes creep in.
Templates are managed and seen by the same people as their provider's drafts.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain import lookup
from bot.domain.actors import Actor, Reach
from bot.domain.announcements import (
    NO_PERMISSION_FOR_PROVIDER,
    AffectedInput,
    Announcements,
    keep_fixed,
    offering_view,
)
from bot.domain.context import Context
from bot.domain.enums import Impact, MaintenanceType
from bot.domain.errors import Invalid, NotFound
from bot.domain.impacts import keeps_own, merged_impact
from bot.domain.listing import page_bounds
from bot.domain.validation import check_fields
from bot.domain.views import AnnouncementView, Page, TemplateOfferingView, TemplateView
from storage.models import Provider, Template, TemplateOffering

TEMPLATE_FIELDS = ("name", "message", "maintenance_type")
TEMPLATE_ORDER = {"created": Template.created, "name": Template.name}


def template_offering_view(row: TemplateOffering, template_uuid) -> TemplateOfferingView:
    return TemplateOfferingView(
        row.uuid, template_uuid, offering_view(row.offering), Impact(row.impact_level), row.impact_description
    )


def template_view(row: Template) -> TemplateView:
    return TemplateView(
        uuid=row.uuid,
        name=row.name,
        message=row.message,
        maintenance_type=MaintenanceType(row.maintenance_type),
        provider_uuid=row.provider.uuid,
        provider_name=row.provider.name,
        offerings=tuple(template_offering_view(o, row.uuid) for o in row.offerings),
        created=row.created,
    )


class Templates:
    def __init__(self, context: Context, announcements: Announcements) -> None:
        self.context = context
        self.announcements = announcements

    def list(
        self,
        actor: Actor,
        *,
        provider_uuid=None,
        maintenance_type: int | None = None,
        ordering: str = "-created",
        page: int = 1,
        page_size: int = 10,
    ) -> Page[TemplateView]:
        with self.context.reading() as uow:
            session = uow.session
            query = select(Template).where(uow.reach(actor).provider_condition(Template.provider_id))
            if provider_uuid is not None:
                query = query.join(Provider).where(Provider.uuid == provider_uuid)
            if maintenance_type is not None:
                query = query.where(Template.maintenance_type == maintenance_type)
            column = TEMPLATE_ORDER.get(ordering.lstrip("-"))
            if column is None:
                raise Invalid.one("o", f"Select a valid choice. {ordering} is not one of the available choices.")
            count = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            page, size = page_bounds(page, page_size, count)
            direction = column.desc() if ordering.startswith("-") else column.asc()
            rows = session.scalars(query.order_by(direction, Template.id).limit(size).offset((page - 1) * size))
            return Page([template_view(t) for t in rows], count, page, size)

    def get(self, actor: Actor, reference: object) -> TemplateView:
        with self.context.reading() as uow:
            return template_view(self._visible(uow.session, uow.reach(actor), reference))

    def create(self, actor: Actor, fields: dict[str, Any]) -> TemplateView:
        with self.context.unit_of_work() as uow:
            session, now = uow.session, uow.now
            reach = uow.reach(actor)
            known = {k: v for k, v in fields.items() if k in (*TEMPLATE_FIELDS, "provider")}
            errors = check_fields(known, ("name", "provider"))
            provider = None
            if fields.get("provider") is not None:
                try:
                    provider = lookup.provider(session, fields["provider"])
                except NotFound as error:
                    errors["provider"] = [error.message]
            if provider is not None:
                reach.require_manager(provider.id, NO_PERMISSION_FOR_PROVIDER)
            if errors:
                raise Invalid(errors)
            row = Template(
                **{k: fields[k] for k in TEMPLATE_FIELDS if fields.get(k) is not None},
                provider=provider,
                provider_id=provider.id,
                created=now,
                modified=now,
            )
            session.add(row)
            session.flush()
            for item in fields.get("offerings") or ():
                item = item if isinstance(item, AffectedInput) else AffectedInput(**item)
                self._link(session, reach, row, item, now)
            uow.record(actor, "created", f"Template {row.name}", provider_uuid=provider.uuid)
            view = template_view(row)
            uow.commit()
            return view

    def update(
        self, actor: Actor, reference: object, fields: dict[str, Any], *, keep_impacts: bool | Collection[UUID] = False
    ) -> TemplateView:
        """Change a template's name, message or type. Its `service_provider` is fixed once it exists (`keep_fixed`).
        `offerings`, when given, replaces its offerings and their impacts in the same transaction (the Slack form
        edits them all at once); `keep_impacts` as for announcements (the merge rule of `bot.domain.impacts`)."""
        with self.context.unit_of_work() as uow:
            reach = uow.reach(actor)
            row = self._visible(uow.session, reach, reference)
            keep_fixed(fields, {"service_provider": row.provider.uuid})
            known = {k: v for k, v in fields.items() if k in TEMPLATE_FIELDS and v is not None}
            errors = check_fields(known)
            if errors:
                raise Invalid(errors)
            changes = {k: (getattr(row, k), v) for k, v in known.items() if getattr(row, k) != v}
            for name, (_, new) in changes.items():
                setattr(row, name, new)
            if fields.get("offerings") is not None:
                changes |= self._replace_offerings(uow.session, reach, row, fields["offerings"], uow.now, keep_impacts)
            if changes:
                row.modified = uow.now
                uow.record(actor, "updated", f"Template {row.name}", provider_uuid=row.provider.uuid, changes=changes)
            view = template_view(row)
            uow.commit()
            return view

    def delete(self, actor: Actor, reference: object) -> None:
        with self.context.unit_of_work() as uow:
            row = self._visible(uow.session, uow.reach(actor), reference)
            uow.record(actor, "deleted", f"Template {row.name}", provider_uuid=row.provider.uuid)
            uow.session.delete(row)
            uow.commit()

    def add_offering(self, actor: Actor, reference: object, item: AffectedInput) -> TemplateOfferingView:
        with self.context.unit_of_work() as uow:
            reach = uow.reach(actor)
            link = self._link(uow.session, reach, self._visible(uow.session, reach, reference), item, uow.now)
            view = template_offering_view(link, link.template.uuid)
            uow.commit()
            return view

    def list_offerings(
        self,
        actor: Actor,
        *,
        template_uuid=None,
        provider_uuid=None,
        offering_uuid=None,
        impact_level: int | None = None,
        page: int = 1,
        page_size: int = 10,
        ordering: str = "-created",
    ) -> Page[TemplateOfferingView]:
        with self.context.reading() as uow:
            session = uow.session
            reach = uow.reach(actor)
            query = select(TemplateOffering).join(Template).where(reach.provider_condition(Template.provider_id))
            if template_uuid is not None:
                query = query.where(Template.uuid == template_uuid)
            if provider_uuid is not None:
                query = query.where(Template.provider_id.in_(select(Provider.id).where(Provider.uuid == provider_uuid)))
            if offering_uuid is not None:
                query = query.where(TemplateOffering.offering.has(uuid=offering_uuid))
            if impact_level is not None:
                query = query.where(TemplateOffering.impact_level == impact_level)
            count = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            page, size = page_bounds(page, page_size, count)
            column = TemplateOffering.created
            direction = column.asc() if ordering == "created" else column.desc()
            rows = session.scalars(query.order_by(direction, TemplateOffering.id).limit(size).offset((page - 1) * size))
            return Page([template_offering_view(r, r.template.uuid) for r in rows], count, page, size)

    def get_offering(self, actor: Actor, reference: object) -> TemplateOfferingView:
        with self.context.reading() as uow:
            link = self._visible_link(uow.session, uow.reach(actor), reference)
            return template_offering_view(link, link.template.uuid)

    def update_offering(self, actor: Actor, reference: object, fields: dict[str, Any]) -> TemplateOfferingView:
        """Change an offering's impact in a template. Its `maintenance_template` and `offering` are fixed once it
        exists (`keep_fixed`)."""
        with self.context.unit_of_work() as uow:
            link = self._visible_link(uow.session, uow.reach(actor), reference)
            keep_fixed(fields, {"maintenance_template": link.template.uuid, "offering": link.offering.uuid})
            known = {k: v for k, v in fields.items() if k in ("impact_level", "impact_description") and v is not None}
            errors = check_fields(known)
            if errors:
                raise Invalid(errors)
            for name, value in known.items():
                setattr(link, name, value)
            view = template_offering_view(link, link.template.uuid)
            uow.commit()
            return view

    def remove_offering(self, actor: Actor, reference: object) -> None:
        with self.context.unit_of_work() as uow:
            link = self._visible_link(uow.session, uow.reach(actor), reference)
            link.template.offerings.remove(link)
            uow.commit()

    def instantiate(
        self, actor: Actor, reference: object, scheduled_start: datetime, scheduled_end: datetime, **overrides: Any
    ) -> AnnouncementView:
        """A new Draft carrying the template's name, message, type, provider and offerings: the template is read
        and the draft created in one transaction."""
        with self.context.unit_of_work() as uow:
            template = self._visible(uow.session, uow.reach(actor), reference)
            fields: dict[str, Any] = {
                "name": template.name,
                "message": template.message,
                "maintenance_type": int(template.maintenance_type),
                "provider": template.provider.uuid,
                "affected": [
                    AffectedInput(o.offering.uuid, int(o.impact_level), o.impact_description)
                    for o in template.offerings
                ],
                "scheduled_start": scheduled_start,
                "scheduled_end": scheduled_end,
            }
            view = self.announcements.create_in(uow, actor, fields | overrides)
            uow.commit()
            return view

    # -- internals ---------------------------------------------------------------------------------

    @staticmethod
    def _visible(session: Session, reach: Reach, reference: object) -> Template:
        condition = lookup.uuid_condition(Template.uuid, reference)
        by_name = func.lower(Template.name) == lookup.findable(str(reference).strip(), "template").lower()
        query = select(Template).where(
            condition if condition is not None else by_name, reach.provider_condition(Template.provider_id)
        )
        return lookup.one(session, query, reference, "template", lambda t: t.name)

    @staticmethod
    def _visible_link(session: Session, reach: Reach, reference: object) -> TemplateOffering:
        condition = lookup.uuid_condition(TemplateOffering.uuid, reference)
        if condition is None:
            raise NotFound(f"{str(reference)!r} is not a template-offering id.")
        query = select(TemplateOffering).join(Template).where(condition, reach.provider_condition(Template.provider_id))
        return lookup.one(session, query, reference, "template offering")

    def _replace_offerings(
        self, session: Session, reach: Reach, row: Template, items, now, keep: bool | Collection[UUID]
    ) -> dict[str, Any]:
        """Make `items` the template's offerings: kept ones take the impact given, others are added or removed.
        Returns the audit change (before, after) as offering: level lists, or nothing when nothing changed."""
        wanted = [item if isinstance(item, AffectedInput) else AffectedInput(**item) for item in items]

        def summary() -> str:
            return ", ".join(f"{o.offering.name}: {int(o.impact_level)} {o.impact_description}".strip()
                             for o in row.offerings)

        before = summary()
        found: dict[int, AffectedInput] = {}
        errors: dict[str, list[str]] = {}
        for index, item in enumerate(wanted):
            try:
                found[lookup.offering(session, item.offering).id] = item
            except NotFound as error:
                errors[f"offerings.{index}.offering"] = [error.message]
        if errors:
            raise Invalid(errors)
        for link in list(row.offerings):
            item = found.pop(link.offering_id, None)
            if item is None:
                row.offerings.remove(link)
                continue
            invalid = check_fields({"impact_level": item.impact_level, "impact_description": item.impact_description})
            if invalid:
                raise Invalid(invalid)
            link.impact_level, link.impact_description = merged_impact(
                (int(item.impact_level), item.impact_description), link, keep_own=keeps_own(keep, link.offering.uuid))
        session.flush()
        for item in found.values():
            self._link(session, reach, row, item, now)
        after = summary()
        return {"offerings": (before, after)} if before != after else {}

    @staticmethod
    def _link(session: Session, reach: Reach, row: Template, item: AffectedInput, now) -> TemplateOffering:
        errors = check_fields({"impact_level": item.impact_level, "impact_description": item.impact_description})
        try:
            offering = lookup.offering(session, item.offering)
        except NotFound as error:
            errors["offering"] = [error.message]
            offering = None
        if offering is not None and any(o.offering_id == offering.id for o in row.offerings):
            errors["non_field_errors"] = ["The fields maintenance_template, offering must make a unique set."]
        if errors:
            raise Invalid(errors)
        reach.require_may_mark_affected([offering])
        link = TemplateOffering(
            offering=offering,
            offering_id=offering.id,
            impact_level=int(item.impact_level),
            impact_description=item.impact_description,
            created=now,
        )
        row.offerings.append(link)
        session.flush()
        return link
