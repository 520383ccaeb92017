# Sourced by the set-up scripts. `debian_mirror` prints the Debian archive this machine already
# uses for its own release (VERSION_CODENAME), read from its apt sources, deb822 `.sources` files
# or one-line `sources.list` entries alike, so that no script names a mirror of its own.
debian_mirror() {
  local codename uri
  codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
  [ -n "$codename" ] || return 1
  # deb822: the paragraph whose Suites list the release itself (not -security, not a third party).
  uri=$(awk -v suite="$codename" 'BEGIN { RS = "" } {
      if ($0 !~ ("(^|\n)Suites:[^\n]*[ \t]" suite "([ \t]|\n|$)")) next
      if (match($0, /(^|\n)URIs:[ \t]*[^ \t\n]+/)) {
        line = substr($0, RSTART, RLENGTH); sub(/^\n?URIs:[ \t]*/, "", line); print line; exit
      }
    }' /etc/apt/sources.list.d/*.sources 2>/dev/null)
  if [ -z "$uri" ]; then
    uri=$(awk -v suite="$codename" '$1 == "deb" {
        for (i = 2; i < NF; i++) if ($i ~ /^https?:/ && $(i + 1) == suite) { print $i; exit }
      }' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n 1)
  fi
  [ -n "$uri" ] || return 1
  printf '%s\n' "${uri%/}"
}
