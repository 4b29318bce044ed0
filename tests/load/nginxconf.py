"""Read deploy/nginx.conf, and write the copy a load run uses: its own ports and a private folder.

A small parser of nginx's syntax (directives, `{ }` blocks, quoted strings, `#` comments) is enough
for the checks in test_load_nginx.py and for rewriting the upstream's servers and the listen port,
so neither needs nginx installed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx.conf"

_TOKEN = re.compile(r"""\s*(?:(\#[^\n]*)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|([{};])|([^\s{};"'#]+))""")


@dataclass
class Directive:
    name: str
    args: list[str]
    block: list[Directive] | None = None  # None: a simple directive ending in ";"
    line: int = 0

    def find(self, name: str) -> list[Directive]:
        """Direct children called `name`."""
        return [d for d in self.block or () if d.name == name]

    def walk(self):
        for d in self.block or ():
            yield d
            yield from d.walk()


@dataclass
class Config(Directive):
    name: str = "(file)"
    args: list[str] = field(default_factory=list)


def parse(text: str) -> Config:
    """The directives of a config file; a syntax error names its line."""
    root = Config(block=[])
    stack: list[Directive] = [root]
    words: list[str] = []
    pos = first = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            if text[pos:].strip():
                raise ValueError(f"line {text.count(chr(10), 0, pos) + 1}: cannot read {text[pos:pos + 20]!r}")
            break
        line = text.count("\n", 0, m.start(m.lastindex)) + 1
        comment, quoted, punct, word = m.groups()
        pos = m.end()
        if comment:
            continue
        if punct == ";":
            if not words:
                raise ValueError(f"line {line}: empty directive")
            stack[-1].block.append(Directive(words[0], words[1:], None, first))
            words = []
        elif punct == "{":
            if not words:
                raise ValueError(f"line {line}: a block without a name")
            d = Directive(words[0], words[1:], [], first)
            stack[-1].block.append(d)
            stack.append(d)
            words = []
        elif punct == "}":
            if words or len(stack) == 1:
                raise ValueError(f"line {line}: unexpected '}}'")
            stack.pop()
        else:
            if not words:
                first = line
            words.append(quoted if quoted is not None else word)
    if words or len(stack) != 1:
        raise ValueError("the file ends inside a directive or a block")
    return root


def dump(directives: list[Directive], indent: int = 0) -> str:
    out = []
    pad = "    " * indent
    for d in directives:
        head = " ".join([d.name, *d.args])
        if d.block is None:
            out.append(f"{pad}{head};")
        else:
            out.append(f"{pad}{head} {{")
            out.append(dump(d.block, indent + 1))
            out.append(f"{pad}}}")
    return "\n".join(x for x in out if x)


def upstreams(conf: Config) -> dict[str, Directive]:
    return {d.args[0]: d for d in conf.find("upstream")}


def server_ports(upstream: Directive) -> list[int]:
    """The ports of an upstream's `server 127.0.0.1:PORT` lines (an address elsewhere raises)."""
    ports = []
    for s in upstream.find("server"):
        host, _, port = s.args[0].rpartition(":")
        if host != "127.0.0.1" or not port.isdigit():
            raise ValueError(f"line {s.line}: upstream server {s.args[0]} is not 127.0.0.1:PORT")
        ports.append(int(port))
    return ports


def for_load_run(site: str, backend_ports: list[int], listen_port: int, workdir: Path) -> str:
    """A whole nginx.conf: the site file with the given backends and listen port, everything else
    (pid, logs, temporary files) inside `workdir`, in the foreground, so no root folder is touched."""
    conf = parse(site)
    (upstream,) = upstreams(conf).values()
    others = [d for d in upstream.block if d.name != "server"]
    upstream.block = others + [Directive("server", [f"127.0.0.1:{p}"]) for p in backend_ports]
    for server in conf.find("server"):
        server.block = [d for d in server.block if d.name not in ("listen", "server_name")]
        server.block.insert(0, Directive("listen", [f"127.0.0.1:{listen_port}"]))
    w = workdir.resolve()
    temps = "\n".join(f"    {kind}_temp_path {w / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""daemon off;
worker_processes 1;
pid {w / "nginx.pid"};
error_log {w / "error.log"} warn;
events {{
    worker_connections 1024;
}}
http {{
    access_log off;
{temps}
{dump(conf.block, 1)}
}}
"""
