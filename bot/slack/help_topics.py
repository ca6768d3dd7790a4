"""What `/maint help SUBCOMMAND` says beyond the usage line: a few lines of explanation and an example each.

Kept apart from the declarations so that the list under `/maint help` stays one line per subcommand; a
subcommand without an entry here is explained by its usage and its one-line help alone.
"""

from __future__ import annotations

#: name -> (explanation, example command lines)
TOPICS: dict[str, tuple[str, tuple[str, ...]]] = {
    "list": ("Without a shortcut: in progress first, then upcoming by start, then drafts, then the past (latest "
             "first). Shortcuts: `upcoming`, `active`, `drafts`, `mine`, `all`. Dates as YYYY-MM-DD or "
             "YYYY-MM-DD HH:MM; `sort=` takes up to 3 keys, `-` before a key reverses it; `words=` keeps those "
             "whose name or message holds every word (as `/maint find`).",
             ("/maint list upcoming provider=Cloud", "/maint list state=completed sort=-overrun_minutes")),
    "find": ("Every word must appear in the name or the message, in any case; drafts only for their managers. "
             "Up to 8 words, 200 characters.",
             ("/maint find ceph upgrade",)),
    "show": ("The card, as you may see it (internal notes and buttons for managers). Instead of an ID you may give "
             "words of its name: when several announcements match, they are listed with their ids.",
             ("/maint show 1a2b3c", "/maint show ceph upgrade")),
    "history": ("Every change, who made it, where (Slack, API, console) and the values before and after. For the "
                "provider's managers and admins. ID or words, as for `show`.",
                ("/maint history 1a2b3c",)),
    "stats": ("Counts, overruns and on-time rate for maintenance starting in the window; `chart` also sends you "
              "a chart per day.",
              ("/maint stats 2026-01-01 2026-03-31 provider=Cloud chart",)),
    "new": ("Opens the form; a new announcement is a Draft that only the provider's managers see until "
            "scheduled. `from TEMPLATE` fills the form from a template.",
            ("/maint new", "/maint new from \"Kernel upgrade\"")),
    "edit": ("Opens the form with the announcement's values (Draft or Scheduled). ID or words, as for `show`.",
             ("/maint edit 1a2b3c",)),
    "schedule": ("Publishes a Draft: its card is posted to the provider's channel and every subscribed channel. "
                 "ID or words, as for `show`.",
                 ("/maint schedule 1a2b3c",)),
    "unschedule": ("Withdraws a Scheduled announcement back to Draft; the channels are told.",
                   ("/maint unschedule 1a2b3c",)),
    "start": ("Marks a Scheduled announcement as In progress; the channels are told.",
              ("/maint start ceph upgrade",)),
    "complete": ("Marks an In-progress announcement as Completed; the channels are told.",
                 ("/maint complete 1a2b3c",)),
    "cancel": ("Calls off a Draft or Scheduled announcement; channels that saw it are told.",
               ("/maint cancel 1a2b3c",)),
    "delete": ("Removes an announcement for good (managers), after asking you to confirm.",
               ("/maint delete 1a2b3c",)),
    "extend": ("Moves the end of a Scheduled or In-progress announcement (managers); the channels are told.",
               ("/maint extend 1a2b3c 30m", "/maint extend 1a2b3c until 18:00")),
    "update": ("Posts a progress update under every posted copy of the card (managers).",
               ("/maint update 1a2b3c Nodes 1–4 done, 5–8 in progress",)),
    "subscribe": ("This channel is told about the maintenance of a provider, or of one offering.",
                  ("/maint subscribe Cloud", "/maint subscribe Cloud/Object storage")),
    "unsubscribe": ("This channel stops hearing about it.", ("/maint unsubscribe Cloud",)),
    "subscriptions": ("What this channel follows.", ("/maint subscriptions",)),
    "providers": ("Every service provider, its channels and managers.", ("/maint providers",)),
    "offerings": ("Offerings, by provider; give a provider to see its own.", ("/maint offerings Cloud",)),
    "templates": ("Templates of the providers you manage; managers create, change and delete them in a form, "
                  "with an impact per offering. `/maint new from NAME` starts an announcement from one.",
                  ("/maint templates", "/maint templates new", "/maint templates edit \"Kernel upgrade\"")),
    "series": ("Recurring maintenance: a preset and a rule (daily, weekly, monthly by day or by ordinal weekday) in "
               "a time zone; each occurrence becomes an announcement ahead of time, as a draft or published. `skip` "
               "takes one occurrence out; `end` withdraws the future drafts and asks before cancelling published "
               "ones.",
               ("/maint series new", "/maint series", "/maint series skip 1a2b3c 2026-12-08",
                "/maint series end 1a2b3c")),
    "provider": ("Adds or changes a service provider (admins).",
                 ("/maint provider add Cloud channel=#cloud-maintenance managers=@ana",)),
    "offering": ("Adds an offering, or sets the alerts its maintenance silences.",
                 ("/maint offering add Cloud/Object storage",)),
    "admin": ("Set-up and delivery for admins: providers, offerings, and the notices waiting or failed.",
              ("/maint admin outbox",)),
    "help": ("Every command, or one in detail.", ("/maint help find",)),
}
