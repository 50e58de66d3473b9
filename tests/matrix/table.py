"""The authorization matrix: every route of the hub against every role, a foreign region and a foreign
municipality, and an unauthenticated caller, with the status each must get.

Read a row as: "when <column> calls <method> <path> on the object <on>, the hub answers <status>".
tests/matrix/test_matrix.py turns every cell into a real HTTP call (real tokens, real objects made through
the API, SQLite and PostgreSQL) and fails when the app has a route without a row or a row names a route
the app no longer has. A new route therefore needs a row here before the suite passes.

Columns (one partner each, see PRINCIPALS):
  dji   DJI, PI Nieuwegein                       zvh   ZVH coordinator Gooi en Vechtstreek (the case's region)
  soc   Hilversum social domain (the addressee)  sec   Hilversum security domain
  pol   police Midden-Nederland                  prb   probation (Reclassering Nederland)
  fg    privacy officer Gooi en Vechtstreek      zvhX  ZVH Maastricht-Heuvelland: a FOREIGN region
  gmX   Huizen social domain (GM0406): a FOREIGN municipality of the same region
  ana   the region's analyst, Gooi en Vechtstreek (ANALYST below: 403 wherever it is not named)
  anon  no token at all

Statuses and the problem each refusal must carry (checked by the test):
  400  an OAuth request without client authentication: error `invalid_client` (RFC 6749 §5.2 allows 400
       when the client did not try the Authorization header)
  401  unauthenticated on /v1: `invalid_token`
  403  the policy's API-access rule refuses the role the operation: `operation_forbidden`
  404  the object belongs to another region or organisation; answers exactly as an unknown id: `not_found`
  303  (screens) nobody signed in: the browser is sent to sign in

Screens (groups `signin`, `screens`, `origin-screens` and `officer`): each column signs in through the
development picker as a fictitious employee and calls with its session cookie, as a browser does (same-origin,
a fresh form key per POST); a refusal is the HTML page of the same problem ("Geen toegang", "Niet gevonden").

Objects (`on`), all made through the API by tests/matrix/world.py before the calls:
  -             no object in the path
  case          an open case of a Hilversum (GM0402) resident in Gooi en Vechtstreek, in screening
  case_ending   an open case DJI ends (detention-ended names its start notification)
  case_ready    a case handed over at release, with a plan, without a handover yet
  case_unknown  an open case whose municipality of origin DJI did not know (PI Nieuwegein's region)
  determination the coordinator's determination of Hilversum as the origin of another such case
  request_open  an open request to Hilversum's social domain on `case`
  request_done  a request to Hilversum's social domain on `case`, answered
  request_withdrawn  a request to Hilversum's social domain, withdrawn when consent was refused (own case)
  handover      a handover to Hilversum's social domain, sent, not yet acknowledged
  report        the report kind `disclosures`
  notice        DJI's 18b notice for a Hilversum resident on a case of its own: Hilversum's mayor mandated the ZVH,
                so the coordinator reads it and Hilversum's security domain is refused by the policy (403
                `notice_read_refused`, the one 403 that is not the API-access rule: CELL_PROBLEM in test_matrix.py)

Within a group, the test makes every GET call first and then the POSTs, each row's refusals before its
successes, so a refused call that wrongly changed something shows up in the successful call after it.
"""

from __future__ import annotations

from dataclasses import dataclass

PRINCIPALS: dict[str, str | None] = {
    "dji": "dji-pi-nieuwegein",
    "zvh": "zvh-gooi-en-vechtstreek",
    "soc": "gm0402-social",
    "sec": "gm0402-security",
    "pol": "politie-midden-nederland",
    "prb": "reclassering-nederland",
    "fg": "fg-gooi-en-vechtstreek",
    "zvhX": "zvh-maastricht-heuvelland",
    "gmX": "gm0406-social",
    "ana": "analist-gooi-en-vechtstreek",
    "anon": None,
}
# The analyst's column is not written in TABLE but in ANALYST below: 403 on every route it does not name.
TABLE_COLUMNS = [column for column in PRINCIPALS if column != "ana"]

TABLE = """
method path                                          on            dji zvh soc sec pol prb fg  zvhX gmX anon
[public]
GET    /openapi.json                                 -             200 200 200 200 200 200 200 200  200 200
GET    /docs                                         -             200 200 200 200 200 200 200 200  200 200
GET    /docs/start.js                                -             200 200 200 200 200 200 200 200  200 200
GET    /docs/assets/swagger-ui.css                   -             200 200 200 200 200 200 200 200  200 200
GET    /docs/assets/swagger-ui-bundle.js             -             200 200 200 200 200 200 200 200  200 200
GET    /health/live                                  -             200 200 200 200 200 200 200 200  200 200
GET    /health/ready                                 -             200 200 200 200 200 200 200 200  200 200
GET    /.well-known/oauth-authorization-server       -             200 200 200 200 200 200 200 200  200 200
GET    /.well-known/jwks.json                        -             200 200 200 200 200 200 200 200  200 200
GET    /.well-known/dt-hub-log-key                   -             200 200 200 200 200 200 200 200  200 200
POST   /oauth/token                                  -             200 200 200 200 200 200 200 200  200 400
POST   /oauth/revoke                                 -             200 200 200 200 200 200 200 200  200 400
POST   /oauth/introspect                             -             200 200 200 200 200 200 200 200  200 400
GET    /v1/me                                        -             200 200 200 200 200 200 200 200  200 401
[audit]
POST   /v1/audit/records/query                       case          403 403 403 403 403 403 200 403  403 401
GET    /v1/audit/integrity                           -             403 403 403 403 403 403 200 403  403 401
POST   /v1/audit/access-report                       -             403 403 403 403 403 403 200 403  403 401
GET    /v1/audit/reports/{kind}                      report        403 403 403 403 403 403 200 403  403 401
[cases]
POST   /v1/notifications/detention-started           -             201 403 403 403 403 403 403 403  403 401
POST   /v1/notifications/detention-ended             case_ending   200 403 403 403 403 403 403 403  403 401
GET    /v1/cases                                     -             403 200 403 403 403 403 403 200  403 401
GET    /v1/cases/{case_id}                           case          403 200 403 403 403 403 403 404  403 401
GET    /v1/cases/{case_id}/timeline                  case          403 200 403 403 403 403 403 404  403 401
GET    /v1/cases/{case_id}/identity                  case          403 200 403 403 403 403 403 404  403 401
GET    /v1/cases/{case_id}/information-sheet         case          403 200 403 403 403 403 403 404  403 401
POST   /v1/cases/{case_id}/events                    case          403 201 403 403 403 403 403 404  403 401
[exchange]
POST   /v1/cases/{case_id}/requests                  case          403 201 403 403 403 403 403 404  403 401
GET    /v1/cases/{case_id}/requests                  case          403 200 403 403 403 403 403 404  403 401
GET    /v1/requests/{request_id}                     request_done  403 200 403 403 403 403 403 404  403 401
GET    /v1/requests/{request_id}/answer              request_done  403 200 403 403 403 403 403 404  403 401
POST   /v1/requests/{request_id}/renew               request_withdrawn 403 201 403 403 403 403 403 404  403 401
GET    /v1/inbox                                     -             200 403 200 200 200 200 403 403  200 401
GET    /v1/inbox/{request_id}                        request_open  404 403 200 404 404 404 403 403  404 401
POST   /v1/inbox/{request_id}/answer                 request_open  404 403 201 404 404 404 403 403  404 401
POST   /v1/cases/{case_id}/handover                  case_ready    403 201 403 403 403 403 403 404  403 401
GET    /v1/handovers                                 -             200 403 200 200 200 200 403 403  200 401
GET    /v1/handovers/{handover_id}                   handover      404 403 200 404 404 404 403 403  404 401
POST   /v1/handovers/{handover_id}/acknowledge       handover      403 403 200 403 403 403 403 403  404 401
[notices]
POST   /v1/notifications/risk-notice                 -             201 403 403 403 403 403 403 403  403 401
GET    /v1/cases/{case_id}/risk-notices              notice        403 200 403 403 403 403 403 404  403 401
GET    /v1/cases/{case_id}/risk-notices/{notice_id}  notice        403 200 403 403 403 403 403 404  403 401
GET    /v1/risk-notices                              -             200 403 200 200 200 200 403 403  200 401
GET    /v1/risk-notices/{notice_id}                  notice        404 403 404 403 404 404 403 403  404 401
[origin]
POST   /v1/cases/{case_id}/origin                    case_unknown  403 201 403 403 403 403 403 404  403 401
GET    /v1/origin-determinations                     -             403 403 200 403 403 403 403 403  200 401
POST   /v1/origin-determinations/{determination_id}/contest determination 403 403 201 403 403 403 403 403  404 401
[origin-screens]
GET    /casussen/{case_id}/herkomst                  case_unknown  403 200 403 403 403 403 403 404  403 303
POST   /casussen/{case_id}/herkomst                  case_unknown  403 303 403 403 403 403 403 404  403 303
GET    /herkomst                                     -             403 403 200 403 403 403 403 403  200 303
POST   /herkomst/{determination_id}/betwisten        determination 403 403 303 403 403 403 403 403  404 303
[signin]
GET    /                                             -             303 303 303 303 303 303 303 303  303 200
GET    /geen-schermen                                -             200 200 200 200 200 200 200 200  200 200
GET    /aanmelden/{client_id}                        -             404 404 404 404 404 404 404 404  404 404
GET    /aanmelden/{client_id}/terug                  -             404 404 404 404 404 404 404 404  404 404
POST   /aanmelden/ontwikkeling                       -             303 303 303 303 303 303 303 303  303 303
POST   /sessie/verlengen                             -             303 303 303 303 303 303 303 303  303 303
POST   /afmelden                                     -             200 200 200 200 200 200 200 200  200 200
GET    /uitgelogd                                    -             200 200 200 200 200 200 200 200  200 200
[screens]
GET    /signalering                                  -             403 200 403 403 403 403 403 200  403 303
GET    /casussen                                     -             403 200 403 403 403 403 403 200  403 303
GET    /casussen/{case_id}                           case          403 200 403 403 403 403 403 404  403 303
GET    /casussen/{case_id}/verzoek                   case          403 200 403 403 403 403 403 404  403 303
GET    /inbox                                        -             200 403 200 200 200 200 403 403  200 303
POST   /casussen/{case_id}/identiteit                case          403 200 403 403 403 403 403 404  403 303
POST   /casussen/{case_id}/informatieblad            case          403 200 403 403 403 403 403 404  403 303
POST   /casussen/{case_id}/verzoek/voorbeeld         case          403 200 403 403 403 403 403 404  403 303
POST   /casussen/{case_id}/verzoek                   case          403 200 403 403 403 403 403 404  403 303
POST   /verzoeken/{request_id}/antwoord              request_done  403 200 403 403 403 403 403 404  403 303
POST   /verzoeken/{request_id}/opnieuw               request_withdrawn 403 200 403 403 403 403 403 404  403 303
POST   /inbox/{request_id}                           request_open  404 403 200 404 404 404 403 403  404 303
POST   /inbox/{request_id}/antwoord                  request_open  404 403 200 404 404 404 403 403  404 303
GET    /casussen/{case_id}/stap/{step}               case          403 200 403 403 403 403 403 404  403 303
POST   /casussen/{case_id}/stap                      case          403 303 403 403 403 403 403 404  403 303
GET    /casussen/{case_id}/overdracht                case_ready    403 200 403 403 403 403 403 404  403 303
POST   /casussen/{case_id}/overdracht                case_ready    403 200 403 403 403 403 403 404  403 303
GET    /overdrachten                                 -             200 403 200 200 200 200 403 403  200 303
POST   /overdrachten/{handover_id}                   handover      404 403 200 404 404 404 403 403  404 303
POST   /overdrachten/{handover_id}/bevestigen        handover      403 403 200 403 403 403 403 403  404 303
GET    /meldingen/nieuw                              -             200 403 403 403 403 403 403 403  403 303
POST   /meldingen/nieuw                              -             200 403 403 403 403 403 403 403  403 303
GET    /meldingen/einde                              -             200 403 403 403 403 403 403 403  403 303
POST   /meldingen/einde                              case_ending   200 403 403 403 403 403 403 403  403 303
POST   /casussen/{case_id}/risicomeldingen/{notice_id} notice      403 200 403 403 403 403 403 404  403 303
GET    /risicomeldingen                              -             200 403 200 200 200 200 403 403  200 303
POST   /risicomeldingen/{notice_id}                  notice        404 403 404 403 404 404 403 403  404 303
[officer]
GET    /overzicht                                    -             403 403 403 403 403 403 200 403  403 303
GET    /logboek                                      -             403 403 403 403 403 403 200 403  403 303
POST   /logboek                                      -             403 403 403 403 403 403 200 403  403 303
GET    /integriteit                                  -             403 403 403 403 403 403 200 403  403 303
GET    /inzage                                       -             403 403 403 403 403 403 200 403  403 303
POST   /inzage                                       -             403 403 403 403 403 403 200 403  403 303
GET    /partners                                     -             403 403 403 403 403 403 200 403  403 303
GET    /jaarverslag                                  -             403 403 403 403 403 403 200 403  403 303
[monitor]
GET    /monitor                                      -             403 403 403 403 403 403 403 403  403 303
"""

# The region analyst (role region_analyst) reads anonymous statistics and nothing else: every route not named
# here answers it 403 (every /v1 operation, every content screen, the officer's screens), so a new route is
# refused to the analyst unless this table says otherwise.
ANALYST = """
GET    /openapi.json                                 200
GET    /docs                                         200
GET    /docs/start.js                                200
GET    /docs/assets/swagger-ui.css                   200
GET    /docs/assets/swagger-ui-bundle.js             200
GET    /health/live                                  200
GET    /health/ready                                 200
GET    /.well-known/oauth-authorization-server       200
GET    /.well-known/jwks.json                        200
GET    /.well-known/dt-hub-log-key                   200
POST   /oauth/token                                  200
POST   /oauth/revoke                                 200
POST   /oauth/introspect                             200
GET    /v1/me                                        200
GET    /                                             303
GET    /geen-schermen                                200
GET    /aanmelden/{client_id}                        404
GET    /aanmelden/{client_id}/terug                  404
POST   /aanmelden/ontwikkeling                       303
POST   /sessie/verlengen                             303
POST   /afmelden                                     200
GET    /uitgelogd                                    200
GET    /monitor                                      200
"""


@dataclass(frozen=True, slots=True)
class Row:
    group: str
    method: str
    path: str
    on: str
    expect: dict[str, int]  # column -> status

    @property
    def route(self) -> tuple[str, str]:
        return self.method, self.path

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def parse(text: str = TABLE) -> list[Row]:
    """The rows of the table; raises ValueError on a malformed line (a wrong column count, a non-status)."""
    lines = [line.split() for line in text.strip().splitlines() if line.strip()]
    header, body = lines[0], lines[1:]
    columns = header[3:]
    if header[:3] != ["method", "path", "on"] or columns != TABLE_COLUMNS:
        raise ValueError(f"the header must be 'method path on {' '.join(TABLE_COLUMNS)}', not {' '.join(header)}")
    rows: list[Row] = []
    group = ""
    for cells in body:
        if len(cells) == 1 and cells[0].startswith("["):
            group = cells[0].strip("[]")
            continue
        if len(cells) != 3 + len(columns) or not all(c.isdigit() for c in cells[3:]):
            raise ValueError(f"malformed row: {' '.join(cells)}")
        rows.append(
            Row(
                group,
                cells[0],
                cells[1],
                cells[2],
                {column: int(status) for column, status in zip(columns, cells[3:], strict=True)},
            )
        )
    return _with_analyst(rows, complete=text is TABLE)


def _with_analyst(rows: list[Row], *, complete: bool) -> list[Row]:
    """Each row's `ana` status: the ANALYST table's, or 403. For the whole table, a line of ANALYST that names
    no row is an error."""
    given = {(cells[0], cells[1]): int(cells[2]) for cells in (line.split() for line in ANALYST.strip().splitlines())}
    unknown = set(given) - {row.route for row in rows}
    if unknown and complete:
        raise ValueError(f"ANALYST names routes the table does not have: {sorted(unknown)}")
    for row in rows:
        row.expect["ana"] = given.get(row.route, 403)
    return rows


ROWS: list[Row] = parse()
GROUPS: list[str] = list(dict.fromkeys(row.group for row in ROWS))
