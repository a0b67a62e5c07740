"""``python cli.py review``: the review pages, a small Flask application.

Server-rendered pages (Jinja templates, autoescaped: every value from a
vendor file shows as text), no JavaScript and no asset from elsewhere. A
reviewer signs in once with a one-time token printed when the server starts;
every other request needs that session (401 without it), and every form
carries the session's CSRF token. A decision goes through the same functions
as the decisions files (``record_one``, ``handle``), so it is checked and
recorded exactly like them; a case or problem someone else decided a moment
before, or one a build changed since the page was opened (its version), is
refused with a message saying so.
"""

from __future__ import annotations

import hmac
import queue
import secrets
import threading
from collections.abc import Callable, Iterable
from contextlib import contextmanager

from flask import (
    Flask,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from loaders.matching.decisions import MatchDecisionError, decision, record_one
from loaders.matching.review import agreement_of
from loaders.review import pages
from loaders.runs.problems import ProblemError, handle

SOURCE = "review page"  # ops.match_decisions.source, ops.problem_handling.recorded_from
# Records a reviewer skipped in this session (kept in the signed cookie, so bounded).
MAX_SKIPPED = 200
# Content-Security-Policy: the pages run no script and load nothing from elsewhere.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")


class Connections:
    """A few database connections shared by the server's threads."""

    def __init__(self, connect: Callable[[], object], size: int = 4):
        self._connect = connect
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)

    @contextmanager
    def get(self):
        self._slots.acquire()
        try:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                conn = self._connect()
            broken = False
            try:
                yield conn
            except Exception:
                broken = bool(getattr(conn, "closed", 0))
                raise
            finally:
                if not broken and not conn.closed:
                    self._idle.put(conn)
        finally:
            self._slots.release()

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


class Tokens:
    """The one-time sign-in tokens: each signs one reviewer in, once."""

    def __init__(self, tokens: Iterable[str]):
        self._left = set(tokens)
        self._lock = threading.Lock()

    def use(self, token: str) -> bool:
        with self._lock:
            for t in self._left:
                if hmac.compare_digest(t.encode(), token.encode()):
                    self._left.discard(t)
                    return True
        return False

    @property
    def left(self) -> int:
        return len(self._left)


def new_tokens(n: int) -> list[str]:
    return [secrets.token_urlsafe(24) for _ in range(max(n, 1))]


def create_app(connect: Callable[[], object], tokens: Iterable[str],
               default_reviewer: str = "", secure_cookie: bool = False) -> Flask:
    """The review application. ``connect()`` opens an autocommit database
    connection; ``tokens`` are the one-time sign-in tokens."""
    app = Flask(__name__)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),  # a restart signs everyone out
        SESSION_COOKIE_NAME="scorebridge_review",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=secure_cookie,
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    pool = Connections(connect)
    signins = Tokens(tokens)
    app.extensions["scorebridge"] = {"pool": pool, "tokens": signins}

    def conn():
        if "conn" not in g:
            g._conn_cm = pool.get()
            g.conn = g._conn_cm.__enter__()
        return g.conn

    @app.teardown_request
    def give_back(exc):
        cm = g.pop("_conn_cm", None)
        g.pop("conn", None)
        if cm is not None:
            cm.__exit__(type(exc) if exc else None, exc, None)

    @app.before_request
    def signed_in_and_checked():
        if request.endpoint in ("login", "static"):
            return None
        if not session.get("reviewer"):
            return render_template("login.html", token="", reviewer=default_reviewer,
                                   refused="Sign in with the link printed when the review "
                                   "server started."), 401
        if request.method == "POST":
            sent = request.form.get("csrf", "")
            if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
                abort(400, description="The form's security token is missing or out of date: "
                      "reload the page and decide again.")
        return None

    @app.after_request
    def headers(response):
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.context_processor
    def common():
        def waiting():
            """The three pages' counts, counted once per request (the header
            and the page's own line both show them)."""
            if "waiting" not in g:
                c = conn()
                g.waiting = {"queue": pages.queue_waiting(c),
                             "anomalies": pages.problems_waiting(c, errors=False),
                             "errors": pages.problems_waiting(c, errors=True)}
            return g.waiting

        return {"reviewer": session.get("reviewer"), "csrf": session.get("csrf", ""),
                "waiting": waiting, "mask_ssn": pages.mask_ssn}

    @app.errorhandler(400)
    def bad_request(err):
        return render_template("message.html", title="Not accepted",
                               message=err.description), 400

    @app.errorhandler(404)
    def not_found(err):
        return render_template("message.html", title="Not found",
                               message=err.description or "No such page."), 404

    # -- signing in ---------------------------------------------------------------------------
    @app.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "GET":
            return render_template("login.html", token=request.args.get("token", ""),
                                   reviewer=default_reviewer, refused=None)
        reviewer = request.form.get("reviewer", "").strip()
        token = request.form.get("token", "").strip()
        if not reviewer:
            return render_template("login.html", token=token, reviewer="",
                                   refused="Say who you are: decisions carry your name."), 400
        if not token or not signins.use(token):
            return render_template("login.html", token="", reviewer=reviewer,
                                   refused="That sign-in token is not valid or was used "
                                   "already: each one signs in once."), 401
        session.clear()
        session["reviewer"] = reviewer[:100]
        session["csrf"] = secrets.token_urlsafe(32)
        return redirect(url_for("queue_page"), 303)

    @app.post("/logout")
    def logout():
        session.clear()
        return render_template("message.html", title="Signed out",
                               message="Signed out. A new sign-in needs a new token."), 200

    # -- the match review queue ---------------------------------------------------------------
    @app.get("/")
    def home():
        return redirect(url_for("queue_page"))

    @app.get("/queue")
    def queue_page():
        page = max(request.args.get("page", 1, type=int) or 1, 1)
        c = conn()
        return render_template("queue.html", ready=pages.queue_ready(c),
                               rows=pages.queue_page(c, page), page=page,
                               size=pages.PAGE_SIZE)

    @app.get("/case/<path:record_id>")
    def case_page(record_id: str):
        c = conn()
        case = pages.open_case(c, record_id)
        if case is None:
            abort(404, description=f"Record {record_id} is not in the review queue.")
        done = pages.decided(c, record_id)
        return render_template("case.html", case=case, version=pages.case_version(case),
                               done=done, agreement=agreement_of)

    @app.post("/case/<path:record_id>")
    def decide_case(record_id: str):
        c = conn()
        choice = request.form.get("choice", "")
        skipped = list(session.get("skipped", []))
        if choice == "skip":
            skipped = (skipped + [record_id])[-MAX_SKIPPED:]
            session["skipped"] = skipped
            return _next_case(c, skipped)
        case = pages.open_case(c, record_id)
        if case is None:
            flash(f"Record {record_id} left the review queue (a build ran): nothing recorded.",
                  "refused")
            return redirect(url_for("queue_page"), 303)
        if request.form.get("version", "") != pages.case_version(case):
            flash(f"Record {record_id} changed since you opened it (a build ran): look at it "
                  "again; nothing recorded.", "refused")
            return redirect(url_for("case_page", record_id=record_id), 303)
        reason = request.form.get("reason", "").strip() or None
        if choice == "new":
            d = decision("new_person", record_id, reason=reason, decided_by=session["reviewer"])
        elif choice.startswith("candidate:"):
            person = choice.split(":", 1)[1]
            if person not in {cand.person_id for cand in case.candidates}:
                abort(400, description=f"{person} is not a candidate of record {record_id}.")
            d = decision("same_person", record_id, person, reason=reason,
                         decided_by=session["reviewer"])
        else:
            abort(400, description="Choose a candidate, new person or skip.")
        try:
            recorded = record_one(c, d, source=SOURCE)
        except MatchDecisionError as exc:
            flash(f"Not recorded: {exc}", "refused")
            return redirect(url_for("queue_page"), 303)
        flash(f"Recorded: {recorded.describe()} (by {recorded.decided_by}). The next build "
              "applies it.", "done")
        return _next_case(c, skipped)

    def _next_case(c, skipped):
        following = pages.oldest_waiting(c, set(skipped))
        if following is None:
            return redirect(url_for("queue_page"), 303)
        return redirect(url_for("case_page", record_id=following), 303)

    # -- anomalies ---------------------------------------------------------------------------
    @app.get("/anomalies")
    def anomalies_page():
        c = conn()
        return render_template("anomalies.html", ready=pages.problems_ready(c),
                               problems=pages.open_anomalies(c))

    @app.post("/anomalies/<problem_id>")
    def handle_anomaly(problem_id: str):
        c = conn()
        current = pages.problem(c, problem_id)
        if current is None:
            abort(404, description=f"Problem {problem_id} is not in marts.mart_problems.")
        if request.form.get("version", "") != current.version:
            flash(f"Problem {problem_id} changed since you opened the page (a build ran): "
                  "look at it again; nothing recorded.", "refused")
            return redirect(url_for("anomalies_page"), 303)
        try:
            handle(c, problem_id, request.form.get("note", ""), session["reviewer"],
                   request.form.get("result", "").strip() or None, recorded_from=SOURCE)
        except ProblemError as exc:
            flash(f"Not recorded: {exc}", "refused")
            return redirect(url_for("anomalies_page"), 303)
        flash(f"Recorded: problem {problem_id} handled by {session['reviewer']}.", "done")
        return redirect(url_for("anomalies_page"), 303)

    # -- errors and quarantined files --------------------------------------------------------
    @app.get("/errors")
    def errors_page():
        c = conn()
        return render_template("errors.html", ready=pages.problems_ready(c),
                               files=pages.open_errors(c))

    @app.get("/files/<int:file_id>")
    def file_page(file_id: int):
        entry = pages.file_entry(conn(), file_id)
        if entry is None:
            abort(404, description=f"No file {file_id} in raw.file_manifest.")
        return render_template("file.html", entry=entry)

    return app


def serve(app: Flask, host: str, port: int):
    """A threaded WSGI server for ``app`` (``serve_forever()`` runs it,
    ``shutdown()`` stops it); port 0 picks a free one (``server.port``)."""
    from werkzeug.serving import make_server

    return make_server(host, port, app, threaded=True)


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def run(ctx, host: str, port: int, logins: int, reviewer: str, secure_cookie: bool,
        say: Callable[[str], None]) -> None:
    """Serves the review pages until Ctrl-C, printing one sign-in link per login."""
    tokens = new_tokens(logins)
    app = create_app(ctx.db.connect, tokens, default_reviewer=reviewer,
                     secure_cookie=secure_cookie)
    try:
        server = serve(app, host, port)
    except OSError as exc:
        from loaders.core.errors import ScorebridgeError

        raise ScorebridgeError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    shown = f"[{host}]" if ":" in host else host
    if host not in LOOPBACK:
        say(f"warning: serving on {host}, not only this machine: anyone who can reach port "
            f"{server.port} sees the sign-in page. The pages are plain HTTP; put them behind "
            "your own HTTPS proxy (and --secure-cookie) before people sign in over a network.")
    say(f"Review pages on http://{shown}:{server.port}/ ({ctx.db.describe()}). "
        f"Sign in once with {'this link' if len(tokens) == 1 else 'one link each'} "
        "(each works once; restarting the server signs everyone out):")
    for token in tokens:
        say(f"  http://{shown}:{server.port}/login?token={token}")
    say("Ctrl-C stops the server.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        say("stopped")
    finally:
        server.server_close()
        app.extensions["scorebridge"]["pool"].close()
