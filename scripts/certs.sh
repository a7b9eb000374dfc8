#!/usr/bin/env bash
# Local TLS for development: a private CA and a server certificate it signs.
#
# Why: browsers only grant camera and microphone (getUserMedia) to secure
# origins. http://localhost counts as one, but a phone opening
# http://192.168.x.y:8080 does not, so going live from a phone on the LAN
# needs HTTPS with a certificate the phone trusts. Trusting one CA once is
# easier than accepting a self-signed certificate per address, and survives
# re-issuing the server certificate when the machine's address changes.
#
# Usage:   npm run certs            (or: bash scripts/certs.sh)
# Env:     CERT_EXTRA_NAMES  comma-separated extra DNS names or IP addresses
#                            for the server certificate, e.g. "live.lan,10.0.0.5"
#          CERTS_DIR         output folder (default: <repo>/certs)
# Output:  ca.key ca.crt server.key server.crt in CERTS_DIR. An existing CA is
#          kept (devices that trust it keep trusting); the server certificate
#          is re-issued on every run with the current names and addresses.

set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_DIR
CERTS_DIR="${CERTS_DIR:-$REPO_DIR/certs}"

readonly CA_SUBJECT="/O=AeThex Live development/CN=AeThex Live local development CA"
readonly CA_DAYS=3650
# Apple platforms reject TLS server certificates valid for more than 825 days,
# and 398 days is the limit browsers apply to public CAs: stay under both.
readonly SERVER_DAYS=397
# Re-create the CA this long before it expires, so a fresh server certificate
# never outlives its issuer.
readonly CA_MIN_REMAINING_SECONDS=$((SERVER_DAYS * 86400))

log() { printf '[certs] %s\n' "$*" >&2; }
die() { printf '[certs] error: %s\n' "$*" >&2; exit 1; }

is_ipv4() {
  local ip="$1" octet octets
  [[ "$ip" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || return 1
  IFS=. read -r -a octets <<<"$ip"
  for octet in "${octets[@]}"; do ((10#$octet <= 255)) || return 1; done
}

# Loose on purpose: openssl validates the address itself; this only decides
# between an IP and a DNS entry and keeps config syntax out of the value.
is_ipv6() { [[ "$1" == *:* && "$1" =~ ^[0-9A-Fa-f:.]+$ ]]; }

# Letters, digits, hyphens and dots, optionally a leading "*." wildcard. This
# also guarantees nothing can break out of the generated openssl config.
is_dns_name() { [[ "$1" =~ ^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$ ]]; }

# Every non-loopback IPv4 address of this machine, one per line. Phones on the
# LAN reach us by one of these, and which one depends on the network they share.
local_ipv4_addresses() {
  if command -v ip >/dev/null 2>&1; then
    ip -4 -o addr show scope global 2>/dev/null | awk '{ split($4, a, "/"); print a[1] }'
  elif hostname -I >/dev/null 2>&1; then
    hostname -I | tr ' ' '\n' | grep -E '^[0-9]+(\.[0-9]+){3}$' || true
  fi | grep -v '^127\.' || true
}

# The subjectAltName entries, one "DNS:x" or "IP:x" per line, without duplicates.
collect_alt_names() {
  local host name
  {
    printf 'DNS:localhost\nIP:127.0.0.1\nIP:::1\n'
    host="$(hostname 2>/dev/null || true)"
    if [[ -n "$host" ]] && is_dns_name "$host"; then
      printf 'DNS:%s\n' "$host"
      # Macs, and Linux with avahi, answer to <hostname>.local over mDNS: a
      # name that survives the machine getting a new DHCP address.
      [[ "$host" == *.* ]] || printf 'DNS:%s.local\n' "$host"
    fi
    local_ipv4_addresses | sed 's/^/IP:/'
    local extra
    IFS=, read -r -a extra <<<"${CERT_EXTRA_NAMES:-}"
    for name in "${extra[@]}"; do
      name="${name//[[:space:]]/}"
      [[ -n "$name" ]] || continue
      if is_ipv4 "$name" || is_ipv6 "$name"; then
        printf 'IP:%s\n' "$name"
      elif is_dns_name "$name"; then
        printf 'DNS:%s\n' "$name"
      else
        die "CERT_EXTRA_NAMES: '$name' is neither a DNS name nor an IP address"
      fi
    done
  } | awk '!seen[tolower($0)]++'
}

# True when the key and the certificate belong together.
key_matches_cert() {
  local key="$1" cert="$2"
  [[ "$(openssl pkey -in "$key" -pubout 2>/dev/null)" == "$(openssl x509 -in "$cert" -noout -pubkey 2>/dev/null)" ]]
}

create_ca() {
  log "creating a new development CA (valid $CA_DAYS days)"
  local tmp_key="$CERTS_DIR/.ca.key.$$" tmp_crt="$CERTS_DIR/.ca.crt.$$"
  openssl req -x509 -new -newkey rsa:3072 -nodes -sha256 \
    -days "$CA_DAYS" -subj "$CA_SUBJECT" \
    -keyout "$tmp_key" -out "$tmp_crt" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" 2>/dev/null
  chmod 600 "$tmp_key"
  chmod 644 "$tmp_crt"
  mv -f "$tmp_key" "$CERTS_DIR/ca.key"
  mv -f "$tmp_crt" "$CERTS_DIR/ca.crt"
  CA_IS_NEW=1
}

# Keep a usable CA: replacing it would silently break every device that
# trusts it. Anything half-there is left for the user to sort out.
ensure_ca() {
  local key="$CERTS_DIR/ca.key" crt="$CERTS_DIR/ca.crt"
  if [[ ! -e "$key" && ! -e "$crt" ]]; then
    create_ca
    return
  fi
  [[ -f "$key" && -f "$crt" ]] \
    || die "found only one of ca.key and ca.crt in $CERTS_DIR; remove it to create a new CA (devices must then trust the new one)"
  key_matches_cert "$key" "$crt" \
    || die "ca.key does not match ca.crt in $CERTS_DIR; remove both to create a new CA (devices must then trust the new one)"
  if ! openssl x509 -in "$crt" -noout -checkend "$CA_MIN_REMAINING_SECONDS" >/dev/null; then
    log "the CA in $CERTS_DIR expires within $SERVER_DAYS days: replacing it (re-trust ca.crt on your devices)"
    create_ca
    return
  fi
  chmod 600 "$key"
  log "keeping the existing CA ($(display_path "$crt"))"
}

issue_server_cert() {
  local alt_names="$1"
  local work
  work="$(mktemp -d "${TMPDIR:-/tmp}/aethex-certs.XXXXXX")"
  # shellcheck disable=SC2064 # expand now: work is local
  trap "rm -rf '$work'" EXIT

  local san
  san="$(paste -sd, <<<"$alt_names")"
  cat >"$work/server.ext" <<EOF
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $san
EOF

  openssl req -new -newkey rsa:2048 -nodes -sha256 \
    -subj "/O=AeThex Live development/CN=$(head -n1 <<<"$alt_names" | cut -d: -f2-)" \
    -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
  # A random serial per certificate: Firefox refuses two different
  # certificates with the same issuer and serial, which a counter reset
  # (a deleted .srl file) would produce.
  openssl x509 -req -sha256 -days "$SERVER_DAYS" \
    -in "$work/server.csr" \
    -CA "$CERTS_DIR/ca.crt" -CAkey "$CERTS_DIR/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" \
    -extfile "$work/server.ext" \
    -out "$work/server.crt" 2>/dev/null
  openssl verify -CAfile "$CERTS_DIR/ca.crt" "$work/server.crt" >/dev/null \
    || die "the new server certificate does not verify against ca.crt"

  # Copy into CERTS_DIR, then rename: a server starting meanwhile never reads a
  # half-written file.
  cp "$work/server.key" "$CERTS_DIR/.server.key.$$"
  cp "$work/server.crt" "$CERTS_DIR/.server.crt.$$"
  chmod 600 "$CERTS_DIR/.server.key.$$"
  chmod 644 "$CERTS_DIR/.server.crt.$$"
  mv -f "$CERTS_DIR/.server.key.$$" "$CERTS_DIR/server.key"
  mv -f "$CERTS_DIR/.server.crt.$$" "$CERTS_DIR/server.crt"
}

# Paths as the user should type them: relative when CERTS_DIR is inside the repo.
display_path() {
  local p="$1"
  if [[ "$p" == "$REPO_DIR"/* ]]; then printf '%s' "${p#"$REPO_DIR"/}"; else printf '%s' "$p"; fi
}

print_next_steps() {
  local alt_names="$1" crt key ca lan_ip
  crt="$(display_path "$CERTS_DIR/server.crt")"
  key="$(display_path "$CERTS_DIR/server.key")"
  ca="$(display_path "$CERTS_DIR/ca.crt")"
  lan_ip="$(local_ipv4_addresses | head -n1)"
  lan_ip="${lan_ip:-<LAN-IP>}"

  cat <<EOF

Server certificate for:
$(awk '{ print "  " $0 }' <<<"$alt_names")

Start the server with HTTPS:

  TLS_CERT=$crt TLS_KEY=$key npm start

From a phone or another machine on the LAN, also listen on every interface
and announce the LAN address in WebRTC candidates:

  HOST=0.0.0.0 RTC_LISTEN_IP=0.0.0.0 RTC_ANNOUNCED_ADDRESS=$lan_ip TLS_CERT=$crt TLS_KEY=$key npm start

  then open https://$lan_ip:8080 on the phone.

Trust the CA ($ca) once per device; see certs/README.md for details:
  Debian/Ubuntu: sudo cp $ca /usr/local/share/ca-certificates/aethex-live-dev-ca.crt && sudo update-ca-certificates
                 Chrome/Chromium: certutil -d sql:\$HOME/.pki/nssdb -A -t C,, -n "AeThex Live dev CA" -i $ca
                 Firefox: Settings > Privacy & Security > Certificates > View Certificates > Authorities > Import
  macOS:         sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain $ca
  Windows:       certutil -addstore -f ROOT ca.crt   (as administrator)
  Android:       copy ca.crt to the phone, Settings > Security > Encryption & credentials >
                 Install a certificate > CA certificate
  iPhone/iPad:   AirDrop or mail ca.crt, install the profile in Settings > General > VPN & Device
                 Management, then enable it in Settings > General > About > Certificate Trust Settings

Keep ca.key private: whoever holds it can impersonate any website to devices trusting this CA.
EOF
  if [[ "${CA_IS_NEW:-0}" == 1 ]]; then
    printf '\nThis is a NEW CA: devices that trusted a previous one must trust this one instead.\n'
  fi
}

main() {
  command -v openssl >/dev/null 2>&1 || die "openssl is needed (sudo apt-get install -y openssl)"
  mkdir -p "$CERTS_DIR"
  # Keys are born private, not chmod-ed after a window of being readable.
  umask 077
  CA_IS_NEW=0

  local alt_names
  alt_names="$(collect_alt_names)"
  ensure_ca
  issue_server_cert "$alt_names"
  log "wrote $(display_path "$CERTS_DIR/server.crt") and $(display_path "$CERTS_DIR/server.key")"
  print_next_steps "$alt_names"
}

main "$@"
