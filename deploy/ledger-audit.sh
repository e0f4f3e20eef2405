#!/bin/sh
# Runs `fastpva admin ledger audit` and writes its result for node_exporter's textfile collector, so
# Prometheus can alert on it (deploy/prometheus-alerts.yml). Run by deploy/fastpva-ledger-audit.timer,
# or from cron (/etc/cron.d/fastpva-ledger-audit):
#   17 * * * *  fastpva  set -a; . /etc/fastpva/env; set +a; /opt/fastpva/deploy/ledger-audit.sh
#
#   fastpva_ledger_audit_ok                 1 when every balance matches its transfers, else 0
#                                           (inconsistent, or the audit could not run)
#   fastpva_ledger_audit_timestamp_seconds  when this ran
#
# Environment: DATABASE_URL (as the server's), FASTPVA_HOME (default: this script's repository),
# TEXTFILE_DIR (default /var/lib/prometheus/node-exporter, Debian's prometheus-node-exporter).
set -u
# Without it the command would audit ./data/fastpva.db, most likely an empty database that looks fine.
if [ -z "${DATABASE_URL:-}" ]; then echo "ledger-audit.sh: set DATABASE_URL as for the server" >&2; exit 2; fi
home=${FASTPVA_HOME:-$(cd "$(dirname "$0")/.." && pwd)}
dir=${TEXTFILE_DIR:-/var/lib/prometheus/node-exporter}
node=${NODE:-node}

if "$node" "$home/packages/server/bin/fastpva.js" admin ledger audit; then ok=1; else ok=0; fi

tmp="$dir/.fastpva_ledger.prom.$$"
cat > "$tmp" <<PROM
# HELP fastpva_ledger_audit_ok 1 when the last ledger audit found every balance consistent.
# TYPE fastpva_ledger_audit_ok gauge
fastpva_ledger_audit_ok $ok
# HELP fastpva_ledger_audit_timestamp_seconds When the last ledger audit ran.
# TYPE fastpva_ledger_audit_timestamp_seconds gauge
fastpva_ledger_audit_timestamp_seconds $(date +%s)
PROM
# Atomic: node_exporter never reads half a file.
mv "$tmp" "$dir/fastpva_ledger.prom"
[ "$ok" = 1 ]
