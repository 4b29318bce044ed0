"""deploy/nginx.conf does what the multi-process setup needs, checked without nginx: one visitor stays
on one process, the websocket upgrade reaches Streamlit, every process started by deploy/processes.sh
is in the upstream, and uploads as large as the app accepts get through."""

from __future__ import annotations

import re
import tomllib

import nginxconf
import pytest
from nginxconf import Directive

ROOT = nginxconf.ROOT
CONF = nginxconf.parse(nginxconf.SITE.read_text(encoding="utf-8"))
(SERVER,) = CONF.find("server")
UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
SIZES = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def maps() -> dict[str, Directive]:
    """Variable set by each `map SOURCE $VAR { ... }` -> the map."""
    return {d.args[1]: d for d in CONF.find("map")}


def map_value(m: Directive, key: str) -> str:
    return next(d.name if not d.args else d.args[0] for d in m.block if d.name.strip("\"'") == key)


def location(path: str) -> Directive:
    (loc,) = [d for d in SERVER.find("location") if d.args == [path]]
    return loc


def effective(loc: Directive, name: str) -> list[Directive]:
    """A directive as nginx applies it in a location: its own, else inherited from the server as a
    whole (proxy_set_header and add_header are inherited only when the location sets none)."""
    return loc.find(name) or SERVER.find(name)


def headers(loc: Directive) -> dict[str, str]:
    return {d.args[0].lower(): d.args[1] for d in effective(loc, "proxy_set_header")}


def seconds(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([smhd]?)", value).groups()
    return int(number) * UNITS[unit]


def size_bytes(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kmg]?)", value.lower()).groups()
    return int(number) * SIZES[unit]


def test_one_visitor_stays_on_one_process():
    (upstream,) = nginxconf.upstreams(CONF).values()
    (hash_,) = upstream.find("hash")
    assert len(hash_.args) == 1, "plain hash: `consistent` splits two processes' visitors unevenly"
    key = maps()[hash_.args[0]]  # the hash key is a map: the visitor's cookie, else a new random id
    cookie = key.args[0].removeprefix("$cookie_")
    assert key.args[0] == f"$cookie_{cookie}" and map_value(key, "") == "$request_id"
    assert map_value(key, "default") == key.args[0]
    (set_cookie,) = [d for d in SERVER.find("add_header") if d.args[0] == "Set-Cookie"]
    assert set_cookie.args[1].strip('"').startswith(f"{cookie}={hash_.args[0]};")
    assert "Path=/" in set_cookie.args[1] and "always" in set_cookie.args[2:]
    for loc in SERVER.find("location"):
        assert not loc.find("add_header"), f"{loc.args}: an add_header here would drop the cookie"


OWN_PROCESS = ("/api/", "/embed/")  # the API and the embedded pages: one process each, outside the upstream


def test_every_location_goes_to_the_upstream():
    (name,) = nginxconf.upstreams(CONF)
    locations = [loc for loc in SERVER.find("location") if loc.args[0] not in OWN_PROCESS]
    assert {tuple(loc.args) for loc in locations} >= {("/",), ("/_stcore/stream",), ("/_stcore/upload_file/",)}
    for loc in locations:
        assert [d.args for d in loc.find("proxy_pass")] == [[f"http://{name}"]]


def script_default(name: str) -> str:
    script = (ROOT / "deploy" / "processes.sh").read_text(encoding="utf-8")
    return re.search(rf"^{name}=\$\{{\w+:-(\d+)\}}", script, re.M).group(1)


def test_the_api_is_served_under_its_own_path_by_the_process_the_script_starts():
    script = (ROOT / "deploy" / "processes.sh").read_text(encoding="utf-8")
    api = location("/api/")
    # Datasette serves under the same path (--base-url), so nginx passes the path on unchanged (no URI part).
    assert [d.args for d in api.find("proxy_pass")] == [[f"http://127.0.0.1:{script_default('api_port')}"]]
    assert "-m ibcr_opendata api --host 127.0.0.1" in script and "--base-url /api/" in script


def test_embedded_pages_have_one_process_of_their_own_with_a_lasting_websocket():
    script = (ROOT / "deploy" / "processes.sh").read_text(encoding="utf-8")
    embed = location("/embed/")
    assert [d.args for d in embed.find("proxy_pass")] == [[f"http://127.0.0.1:{script_default('embed_port')}"]]
    assert "--server.baseUrlPath embed" in script
    (timeout,) = effective(embed, "proxy_read_timeout")
    assert seconds(timeout.args[0]) >= 3600
    assert headers(embed)["upgrade"] == "$http_upgrade"  # inherited from the server: the location sets none


def test_the_websocket_upgrade_reaches_streamlit():
    stream = location("/_stcore/stream")
    h = headers(stream)
    assert h["upgrade"] == "$http_upgrade"
    connection = maps()[h["connection"]]
    assert connection.args[0] == "$http_upgrade" and map_value(connection, "default") == "upgrade"
    assert h["host"] == "$http_host", "Streamlit compares Origin with Host, port included"
    assert [d.args for d in effective(stream, "proxy_http_version")] == [["1.1"]]
    (timeout,) = effective(stream, "proxy_read_timeout")
    assert seconds(timeout.args[0]) >= 3600, "an idle reader's websocket must outlive nginx's read timeout"


def test_uploads_as_large_as_the_app_accepts_get_through():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    limit_mb = config["server"]["maxUploadSize"]
    upload = location("/_stcore/upload_file/")
    (body,) = effective(upload, "client_max_body_size")
    assert size_bytes(body.args[0]) > limit_mb * 1024**2


def test_the_upstream_lists_every_process_the_script_starts():
    script = (ROOT / "deploy" / "processes.sh").read_text(encoding="utf-8")
    n = int(re.search(r"^n=\$\{1:-(\d+)\}", script, re.M).group(1))
    first = int(re.search(r"^first=\$\{2:-(\d+)\}", script, re.M).group(1))
    (upstream,) = nginxconf.upstreams(CONF).values()
    assert nginxconf.server_ports(upstream) == list(range(first, first + n))
    assert "--server.address 127.0.0.1" in script, "only nginx should be reachable from outside"


def test_a_load_run_copy_points_at_its_own_processes(tmp_path):
    text = nginxconf.for_load_run(nginxconf.SITE.read_text(encoding="utf-8"), [40001, 40002, 40003], 40100, tmp_path)
    whole = nginxconf.parse(text)
    (http,) = whole.find("http")
    (upstream,) = [d for d in http.find("upstream")]
    assert nginxconf.server_ports(upstream) == [40001, 40002, 40003]
    assert [d.args for d in upstream.find("hash")] == [["$ibcr_backend_key"]]
    (server,) = http.find("server")
    assert [d.args for d in server.find("listen")] == [["127.0.0.1:40100"]]
    assert all(str(tmp_path) in " ".join(d.args) for d in whole.walk() if d.name.endswith(("_path", "pid", "error_log")))


@pytest.mark.parametrize("text", ["a {", "a }", "server { listen 80 }", "x y"])
def test_a_broken_file_is_refused(text):
    with pytest.raises(ValueError):
        nginxconf.parse(text)


def frame_policy(variable: str, uri: str) -> str:
    """The value a `map $uri $VAR` gives a path: its first matching regex, else the default."""
    m = maps()[variable]
    assert m.args[0] == "$uri"
    for d in m.block:
        if d.name.startswith("~") and re.search(d.name[1:], uri):
            return d.args[0].strip("\"")
    return map_value(m, "default").strip("\"")


def test_the_editors_page_is_never_framed_embeds_by_any_site_and_the_others_only_by_this_site():
    added = {d.args[0]: d for d in SERVER.find("add_header")}
    for header, variable in (("X-Frame-Options", "$ibcr_frame_options"),
                             ("Content-Security-Policy", "$ibcr_frame_ancestors")):
        assert added[header].args[1] == variable and "always" in added[header].args[2:]
        assert [header] in [d.args for d in SERVER.find("proxy_hide_header")], "one header, not the app's and ours"
    for uri in ("/editor", "/editor/", "/embed/editor"):
        assert frame_policy("$ibcr_frame_options", uri) == "DENY"
        assert frame_policy("$ibcr_frame_ancestors", uri) == "frame-ancestors 'none'"
    for uri in ("/embed/", "/embed/map", "/embed/_stcore/stream"):  # no X-Frame-Options: it has no "any site"
        assert frame_policy("$ibcr_frame_options", uri) == ""
        assert frame_policy("$ibcr_frame_ancestors", uri) == "frame-ancestors *"
    for uri in ("/", "/map", "/editors", "/embedded", "/static/world_110m.json"):
        assert frame_policy("$ibcr_frame_options", uri) == "SAMEORIGIN"
        assert frame_policy("$ibcr_frame_ancestors", uri) == "frame-ancestors 'self'"


def test_the_app_sees_each_clients_address_and_uploads_in_flight_are_bounded():
    for loc in SERVER.find("location"):
        assert headers(loc)["x-real-ip"] == "$remote_addr", "the sign-in throttle counts per client address"
    (zone,) = CONF.find("limit_conn_zone")
    assert zone.args[0] == "$binary_remote_addr"
    (limit,) = location("/_stcore/upload_file/").find("limit_conn")
    assert limit.args[0] == zone.args[1].split("=")[1].split(":")[0] and int(limit.args[1]) <= 2
