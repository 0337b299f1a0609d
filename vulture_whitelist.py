"""Names vulture cannot see being used: read by ``vulture`` only (``python3 dev.py lint``), never imported.

Vulture matches names, not objects, so ``_.name`` below marks every ``name`` in the product as used. Keep
this list short: an entry belongs here only when something outside our code calls or reads the name.
Slash commands, listeners, buttons and ``before_loop`` hooks are covered by ``ignore_decorators`` in
pyproject.toml instead. Dead code is deleted, not listed.
"""

# --- discord.py calls these on our subclasses -------------------------------------------------------------
_.setup_hook  # commands.Bot: once after login, before the gateway connects (loads cogs.EXTENSIONS)
_.on_ready  # Client event, dispatched by name
_.on_resumed  # Client event (bot.py: the gateway state for /healthz)
_.on_disconnect  # Client event (bot.py: the gateway state for /healthz)
_.on_app_command_completion  # Client event dispatched by the command tree (bot.py: interaction metrics)
_.on_error  # Client.on_error (events) and ui.Modal.on_error (modal callbacks), looked up by name
_.setup  # extension entry point: load_extension imports the module and calls setup(bot)
_.cog_load  # Cog hook, awaited by add_cog
_.cog_unload  # Cog hook, awaited by remove_cog
_.interaction_check  # ui.View hook, awaited before any item callback
_.callback  # ui.Item: awaited when the button is pressed
_.from_custom_id  # ui.DynamicItem: classmethod that rebuilds the item from a matching custom_id
_.on_submit  # ui.Modal: awaited when the modal is submitted

# --- read by discord.py, not by us ------------------------------------------------------------------------
_.guild_reactions  # Intents flag set in bot.py: discord.py sends it in IDENTIFY
_.guild_scheduled_events  # Intents flag set in bot.py: discord.py sends it in IDENTIFY
_.BASE  # discord.http.Route.BASE: every REST route is built from it (bot.py points it at api_base)

# --- expat calls these on the parser object (domain/feedkeys.py sets them as handlers/options) -----------
_.CharacterDataHandler
_.StartElementHandler
_.EndElementHandler
_.StartNamespaceDeclHandler
_.ExternalEntityRefHandler
_.SkippedEntityHandler
_.namespace_prefixes
_.buffer_text

# --- read by the standard library / aiosqlite ---------------------------------------------------------------
_.row_factory  # sqlite3.Connection.row_factory (through aiosqlite): rows come back as sqlite3.Row
_.exc_type  # __exit__/__aexit__ protocol parameters: the interpreter passes all three
_.tb  # (same)
_.signum  # signal handler parameters: signal.signal calls handler(signum, frame)
_.frame  # (same)

# --- row models mirror their tables -----------------------------------------------------------------------
# A row model has a field for every column the repository selects, read by code or not, so rows map
# one-to-one; these columns are written by the product and read only by tests and operators today.
_.result_message_id  # polls.result_message_id: the results message (storage/polls.py Poll)
_.done_at  # reminders.done_at: when a reminder fired or was given up (storage/watchparties.py)
_.last_ok_at  # loop_health.last_ok_at (storage/club.py LoopHealth)
_.announce_attempts  # polls.announce_attempts: send attempts made before the outbox existed (0006)

# --- NOT framework-called: fields of result values that only the tests read today ---------------------
# Each is computed anyway and kept on a result object so that a test can check it (redirect chains, the
# worker recycling, the parts of a reminder plan). They are debt, not framework names: use each in the
# product (a log line, /club status, doctor) or delete it with its test, then drop its line.
_.recycle_count  # services/feedparse.py FeedParser.recycle_count: tests assert workers were recycled
_.redirects  # services/fetcher.py FetchResult.redirects: read by tests only
_.peer_address  # services/fetcher.py FetchResult.peer_address: read by tests only
_.old_start  # services/watchparties/_models.py EditResult.old_start: read by tests only
_.accept  # domain/polls.py Decision.accept: the service decides in SQL and reads only remove_reaction
_.remove_previous  # domain/polls.py Decision.remove_previous: same
_.discussion_epoch  # domain/reminders.py PartySchedule.discussion_epoch: read by tests only
_.spoiler_end_epoch  # domain/reminders.py PartySchedule.spoiler_end_epoch: read by tests only

# --- enum members built by value from stored rows ---------------------------------------------------------
# storage/_rows.row_to turns each status/kind/mode column into its StrEnum by value (``Enum("paused")``), so
# a member that no code names is still reached whenever a row holds its value.
_.PAUSED  # FeedStatus, SubscriptionStatus
_.BROKEN  # SubscriptionStatus
_.POLL  # PollKind
_.PICK  # PollKind
_.MULTI  # PollMode
_.PENDING  # PollStatus, ReminderState
_.CLOSED  # PollStatus
_.IN_POLL  # NominationStatus
_.ARCHIVED  # NominationStatus
_.SCHEDULED  # PartyStatus
_.GOING  # RsvpChoice
_.MAYBE  # RsvpChoice
_.NO  # RsvpChoice
_.FIRED  # ReminderState
_.MISSED  # ReminderState
_.DROPPED  # ReminderState
_.SUPERSEDED  # ReminderState
_.collect  # services.metrics.OutboxCollector: called by prometheus_client at scrape time

# --- built ahead of its caller --------------------------------------------------------------------------
