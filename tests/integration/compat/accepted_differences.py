"""Issue 16: every difference the protocol harness (test_protocol_diff.py) accepts between
MariaDB directly and the same session through Tessera, with its reason. This is the only place
they are listed (README's "Accepted differences" section summarises it).

A rule matches a differing field when `path` (a regular expression, full match) matches the
field's path in the decoded reply and, if given, `statement` (a regular expression, search)
matches the corpus statement. Paths look like
    greeting.capabilities   login.status   reply[0].columns[2].charset   reply[1].rows[0][3]
`kind`:
    accepted   must differ (ids, scrambles) or is Tessera's design, documented
    known      a defect being fixed elsewhere (issue 16 item N, branch compat-protocol)
The harness prints how often each rule was used; a rule no run uses is reported as stale.
"""

RULES = [
    # --- things that must differ ---------------------------------------------------------
    dict(id="connection-id", kind="accepted", path=r"greeting\.connection_id",
         reason="Tessera numbers its client sessions itself; CONNECTION_ID() through Tessera "
                "returns the same id as the greeting (it.hostile_kill checks that)"),
    dict(id="scramble", kind="accepted", path=r"greeting\.scramble",
         reason="a random challenge per connection"),
    dict(id="statement-id", kind="accepted", path=r"prepare\.statement_id",
         reason="a handle, not data: MariaDB numbers prepared statements per connection with a "
                "counter that its own internal statements (stored routine instructions, "
                "SQL-level PREPARE) also advance, so even two direct runs differ; the harness "
                "executes and closes each statement by the id it was given"),
    dict(id="version-suffix", kind="accepted", path=r"greeting\.version",
         same=lambda d, t: t == d + "-Tessera",
         reason="Tessera appends -Tessera to the backend's version string so a client (and "
                "its operator) can tell that it talks to a proxy; family and version stay"),
    # --- capabilities ----------------------------------------------------------------------
    dict(id="server-capabilities", kind="accepted", path=r"greeting\.capabilities",
         reason="Tessera offers only what it implements on the client side: no "
                "CLIENT_SSL unless [proxy] tls is "
                "configured, no CLIENT_PROGRESS_OBSOLETE/CLIENT_SSL_VERIFY_SERVER_CERT/"
                "CLIENT_REMEMBER_OPTIONS/CLIENT_CAN_HANDLE_EXPIRED_PASSWORDS/"
                "CLIENT_OPTIONAL_RESULTSET_METADATA"),
    dict(id="server-ext-capabilities", kind="accepted", path=r"greeting\.ext_capabilities",
         reason="MariaDB's extended capabilities: Tessera offers EXTENDED_TYPE_INFO but not "
                "PROGRESS, STMT_BULK_OPERATIONS (issue 16 item 13, being fixed) or "
                "CACHE_METADATA"),
    # --- Tessera's design -------------------------------------------------------------------
    dict(id="login-user-name", kind="accepted", path=r"login\.message",
         statement=r"^handshake wrong-password$",
         same=lambda d, t: d.replace("'tessera'@", "'U'@") == t.replace("'app'@", "'U'@"),
         reason="the harness logs in as tessera directly and as app through Tessera; the "
                "messages are the same but for the user name"),
    dict(id="database-outside-namespace", kind="accepted",
         path=r"(login|\[0\])\.(code|message)",
         statement=r"unknown-database|cx_no_such_database",
         reason="a database outside the namespace's allowed_dbs is refused by Tessera before "
                "the server sees it, with 1044 (42000) as a server answers for a database the "
                "account has no grant on, whether it exists or not: a tenant does not learn "
                "which databases exist (MariaDB with a global grant answers 1049)"),
    dict(id="session-track-variables", kind="accepted",
         path=r"queries\[1\]\[0\]\..*", statement=r"^handshake session-track$",
         reason="SET session_track_*: Tessera needs the server's session tracking on its "
                "backend connections (it follows schema, variables and transactions with it) "
                "and refuses to let clients change it (1227)"),
    dict(id="malformed-execute", kind="accepted", path=r"execute\[0\]\.(code|message)",
         statement=r"SELECT \? \+ \?, \? IS NULL",
         reason="COM_STMT_EXECUTE carrying fewer values than the statement has parameters: "
                "Tessera checks every value's length against the packet before the server "
                "sees it (issue 9, lenenc bombs) and answers 1835 ER_MALFORMED_PACKET where "
                "MariaDB answers 1210 'Incorrect arguments to mysqld_stmt_execute'"),
    dict(id="multi-statement-message", kind="accepted", path=r"queries\[1\]\[0\]\.message",
         statement=r"^handshake no-multi-statements$",
         reason="without CLIENT_MULTI_STATEMENTS Tessera refuses 'SELECT 1; SELECT 2' itself "
                "(its backend connections have multi-statements on): the same 1064/42000, "
                "the message says 'MySQL server version' and adds why"),
    # --- limits of a pooled proxy, documented ---------------------------------------------
    dict(id="metadata-eof-status", kind="accepted",
         path=r".*(columns_eof|param_defs_eof|column_defs_eof)\.status|\[0\]\.end\.status",
         same=lambda d, t: isinstance(d, int) and isinstance(t, int)
         and (d ^ t) & ~0x0038 == 0,
         reason="for a client without CLIENT_DEPRECATE_EOF Tessera writes the EOF after column "
                "(and parameter) definitions itself, since its backend connections run with "
                "DEPRECATE_EOF; the server's carries SERVER_MORE_RESULTS_EXISTS (0x08) and "
                "SERVER_QUERY_NO_(GOOD_)INDEX_USED (0x10/0x20) of the statement under way, "
                "which Tessera learns only at the end of the result, so these three bits may "
                "differ there (and in COM_FIELD_LIST's end); the final EOF/OK of every result "
                "is the server's own"),
    dict(id="out-params-eof-status", kind="known",
         path=r"execute\[\d+\]\.columns_eof\.status", statement=r"CALL cx_p\d\(\?",
         same=lambda d, t: isinstance(d, int) and isinstance(t, int)
         and (d ^ t) & ~0x1038 == 0,
         reason="the same EOF before a CALL's OUT-parameter result (binary protocol) lacks "
                "SERVER_PS_OUT_PARAMS (0x1000), by which a classic client tells that result "
                "from the procedure's own ones (issue 16 item 12, multi-result/CALL bytes, "
                "being fixed on branch compat-protocol)"),
    dict(id="session-status", kind="known", path=r"\[0\]\.rows\[\d+\]\[1\]",
         statement=r"SESSION STATUS|SESSION_STATUS",
         reason="SHOW SESSION STATUS counts the pooled backend connection's statements, not "
                "the client session's, in namespaces without exact_session_status (issue 16 "
                "item 8; the it namespace sets it, see it.compat_session_views)"),
    dict(id="session-views-metadata", kind="accepted", path=r"\[0\]\.columns\[\d+\]\..*",
         statement=r"^SHOW (SESSION |LOCAL )?STATUS|information_schema\.SESSION_STATUS|"
                   r"PROCESSLIST",
         reason="Tessera answers these with the client's statement run over a derived table "
                "of its own rows (the session's counters, its client sessions): the column "
                "metadata (type, length, table and database names) is the derived table's"),
    # --- found by this harness, not fixed yet ----------------------------------------------
    dict(id="diagnostics-one-statement", kind="open",
         path=r"\[0\]\.(rows.*|warnings|columns\[\d\]\..*)",
         statement=r"^(SHOW COUNT\(\*\) (WARNINGS|ERRORS)|SHOW WARNINGS LIMIT 1|"
                   r"GET DIAGNOSTICS CONDITION 1 .*|SELECT @cx_n, @cx_rc|"
                   r"SELECT @cx_errno, @cx_text|SELECT @cx_u, .*)$",
         reason="outside a transaction Tessera keeps the backend connection after a statement "
                "with warnings for the next statement only: a second SHOW WARNINGS/SHOW "
                "COUNT(*) WARNINGS/GET DIAGNOSTICS sees an empty diagnostics area (the "
                "server keeps it until a statement replaces it); user variables set from it "
                "are NULL (so typed LONGBLOB later)"),
    dict(id="session-state-of-tessera", kind="open",
         path=r".*session_state.*",
         reason="a client with CLIENT_SESSION_TRACK gets the session-state block of Tessera's "
                "backend connection as is: last_gtid after writes, state_change and every "
                "changed variable (Tessera tracks '*'), where the server, with the default "
                "session_track_* settings, reports only schema and the default variables; "
                "Tessera's own login OK lacks the schema entry. Filtering the block to the "
                "client's (default) tracking settings is not done yet"),
    dict(id="session-state-flag", kind="open",
         path=r".*(\.status|\.end\.status)",
         same=lambda d, t: isinstance(d, int) and isinstance(t, int) and (d ^ t) == 0x4000,
         reason="SERVER_SESSION_STATE_CHANGED set or missing with the block above"),
]


def find(path, statement, direct, tessera):
    """The first rule accepting this difference, or None."""
    import re

    for rule in RULES:
        if not re.fullmatch(rule["path"], path):
            continue
        if "statement" in rule and not re.search(rule["statement"], statement or ""):
            continue
        if "same" in rule and not rule["same"](direct, tessera):
            continue
        return rule
    return None
