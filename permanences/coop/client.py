"""A client of La Coop de la médiation numérique's API (JSON:API, v1), read-only.

Written against the OpenAPI description published in La Coop's repository
(inclusion-numerique/coop-mediation-numerique, apps/web/src/app/api/v1/documentation/
v1.openapi.json): bearer token "client-id:secret", lists paginated by cursor (`page[size]`,
`page[after]`, the next page's link in `links.next`), activities sorted by last modification,
newest first. Busy (429) and failing (5xx) answers are retried with a growing delay; a refusal
(401/403) and every other failure end in an error whose message a coordinator can act on.
"""

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass

PAGE_SIZE = 500  # the API's maximum
STRUCTURE_IDS_PER_CALL = 100  # the API's maximum for `ids`
RETRIES = 4
FIRST_DELAY_SECONDS = 2.0
MAX_DELAY_SECONDS = 120.0
TIMEOUT_SECONDS = 60
# A page of 500 activities is about half a megabyte: far more is not an answer of this API.
MAX_RESPONSE_BYTES = 32 * 1024 * 1024


class CoopApiError(Exception):
    """The API could not be read; the message says why, in French."""


class CoopAccessError(CoopApiError):
    """The API refused the token (401/403)."""


@dataclass
class Page:
    data: list[dict]
    next_cursor: str  # "" on the last page
    total: int | None = None


def _cursor_of(link) -> str:
    """The `page[after]` of the next page's link (a URI, or an object with `href`)."""
    if isinstance(link, dict):
        link = link.get("href")
    if not link or not isinstance(link, str):
        return ""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
    return (query.get("page[after]") or [""])[0]


def _delay(attempt: int, retry_after: str | None) -> float:
    if retry_after and retry_after.strip().isdigit():
        return min(float(retry_after.strip()), MAX_DELAY_SECONDS)
    return min(FIRST_DELAY_SECONDS * 2**attempt, MAX_DELAY_SECONDS)


class CoopClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        retries: int = RETRIES,
        timeout: float = TIMEOUT_SECONDS,
    ):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.sleep = sleep
        self.retries = retries
        self.timeout = timeout

    def get(self, path: str, params: dict | None = None) -> dict | list:
        query = urllib.parse.urlencode({k: v for k, v in (params or {}).items() if v})
        url = f"{self.base_url}/{path.lstrip('/')}" + (f"?{query}" if query else "")
        request = urllib.request.Request(
            url,
            headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"},
        )
        for attempt in range(self.retries + 1):
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    body = response.read(MAX_RESPONSE_BYTES + 1)
                break
            except urllib.error.HTTPError as error:
                status = error.code
                if status in (401, 403):
                    raise CoopAccessError(_refused(status)) from error
                if status != 429 and status < 500:
                    raise CoopApiError(
                        f"La Coop a refusé la demande ({path}, réponse {status}) : "
                        "l’adresse COOP_API_URL est-elle bien celle de l’API (…/api/v1) ?"
                    ) from error
                if attempt == self.retries:
                    raise CoopApiError(
                        f"La Coop ne répond pas normalement (réponse {status}, "
                        f"{self.retries + 1} essais) : la synchronisation reprendra au même "
                        "endroit au prochain passage."
                    ) from error
                self.sleep(_delay(attempt, error.headers.get("Retry-After")))
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                if attempt == self.retries:
                    raise CoopApiError(
                        f"La Coop est injoignable ({self.base_url}) après {self.retries + 1} "
                        "essais : vérifiez COOP_API_URL et la connexion du serveur ; la "
                        "synchronisation reprendra au même endroit au prochain passage."
                    ) from error
                self.sleep(_delay(attempt, None))
        if len(body) > MAX_RESPONSE_BYTES:
            raise CoopApiError(
                f"La réponse de La Coop ({path}) dépasse {MAX_RESPONSE_BYTES // 2**20} Mo : "
                "elle n’a pas été lue."
            )
        try:
            return json.loads(body)
        except ValueError as error:
            raise CoopApiError(
                f"La Coop a répondu par autre chose que du JSON ({path}) : l’adresse "
                "COOP_API_URL est-elle bien celle de l’API (…/api/v1) ?"
            ) from error

    def page(self, path: str, params: dict, *, after: str = "", size: int = PAGE_SIZE) -> Page:
        payload = self.get(path, {**params, "page[size]": size, "page[after]": after})
        if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
            raise CoopApiError(f"La réponse de La Coop ({path}) n’a pas la forme attendue.")
        links = payload.get("links") or {}
        meta = payload.get("meta") or {}
        next_cursor = _cursor_of(links.get("next"))
        if meta.get("has_next_page") is False:
            next_cursor = ""
        return Page(payload["data"], next_cursor, meta.get("total_count"))

    def activites(self, *, modified_since: str = "", after: str = "", size=PAGE_SIZE) -> Page:
        return self.page(
            "activites", {"filter[modification][depuis]": modified_since}, after=after, size=size
        )

    def utilisateurs(self, *, max_pages: int = 1000) -> Iterator[dict]:
        after = ""
        for _ in range(max_pages):
            page = self.page("utilisateurs", {}, after=after)
            yield from page.data
            if not page.next_cursor:
                return
            after = page.next_cursor

    def structures(self, ids: list[str]) -> list[dict]:
        found = []
        for start in range(0, len(ids), STRUCTURE_IDS_PER_CALL):
            chunk = ids[start : start + STRUCTURE_IDS_PER_CALL]
            found += self.page("structures", {"ids": ",".join(chunk)}).data
        return found


def _refused(status: int) -> str:
    return (
        f"La Coop refuse l’accès (réponse {status}) : le jeton COOP_API_TOKEN est absent, erroné, "
        "expiré ou ne donne pas accès aux activités. Vérifiez qu’il s’écrit "
        "« identifiant-client:secret », ou demandez un nouvel accès à l’équipe de La Coop de la "
        "médiation numérique."
    )
