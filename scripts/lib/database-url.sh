# shellcheck shell=bash
# The database scripts/backup and scripts/restore work on, and how they reach it without
# ever putting the password on a command line (where `ps` shows it) or on the terminal.
# Source it, then call resolve_database_url ENV_FILE_OR_EMPTY. It sets:
#   DB_URL       DATABASE_URL without its password (safe to pass as an argument)
#   DB_LABEL     user@host:port/database, for messages
#   PGPASSWORD   exported, the URL's password (percent-decoded) when it has one
#   DB_SOURCE    where DATABASE_URL came from

# The value of KEY in a dotenv file, read as the app reads it (Settings.parseDotEnv): no
# shell evaluation, `export ` allowed, matching quotes stripped, else a ` #` comment cut;
# the last line wins.
dotenv_value() { # dotenv_value FILE KEY
    local file="$1" key="$2" line value found=1
    while IFS= read -r line || [ -n "$line" ]; do
        line="${line#"${line%%[![:space:]]*}"}"
        line="${line%"${line##*[![:space:]]}"}"
        case "$line" in ''|'#'*) continue ;; esac
        [[ "$line" == export\ * ]] && { line="${line#export }"; line="${line#"${line%%[![:space:]]*}"}"; }
        local name="${line%%=*}"
        name="${name%"${name##*[![:space:]]}"}"
        [ "$name" = "$key" ] && [[ "$line" == *=* ]] || continue
        value="${line#*=}"
        value="${value#"${value%%[![:space:]]*}"}"
        if [ "${#value}" -ge 2 ] && { [[ "$value" == \"*\" ]] || [[ "$value" == \'*\' ]]; }; then
            value="${value:1:${#value}-2}"
        elif [[ "$value" == *' #'* ]]; then
            value="${value%% #*}"
            value="${value%"${value##*[![:space:]]}"}"
        fi
        printf -v DOTENV_VALUE '%s' "$value"
        found=0
    done <"$file"
    return "$found"
}

percent_decode() { # percent_decode TEXT: %XX sequences decoded, nothing else interpreted
    local text="$1" out="" i=0 c
    while [ "$i" -lt "${#text}" ]; do
        c="${text:i:1}"
        if [ "$c" = % ] && [[ "${text:i+1:2}" =~ ^[0-9A-Fa-f]{2}$ ]]; then
            printf -v c "\\x${text:i+1:2}"
            i=$((i + 3))
        else
            i=$((i + 1))
        fi
        out+="$c"
    done
    printf '%s' "$out"
}

resolve_database_url() { # resolve_database_url [ENV_FILE]
    local env_file="$1" url
    # An explicit --env-file wins; then DATABASE_URL in the environment; then the file the
    # units name (TM_ENV_FILE), then /etc/trademaster/env.
    if [ -z "$env_file" ] && [ -n "${DATABASE_URL:-}" ]; then
        url="$DATABASE_URL"
        DB_SOURCE="DATABASE_URL in the environment"
    else
        env_file="${env_file:-${TM_ENV_FILE:-/etc/trademaster/env}}"
        [ -r "$env_file" ] || { echo "error: cannot read $env_file (give --env-file FILE, or set DATABASE_URL)" >&2; return 1; }
        dotenv_value "$env_file" DATABASE_URL || { echo "error: $env_file sets no DATABASE_URL" >&2; return 1; }
        url="$DOTENV_VALUE"
        DB_SOURCE="$env_file"
    fi
    case "$url" in
        postgres://*|postgresql://*) ;;
        *) echo "error: DATABASE_URL (from $DB_SOURCE) is not a postgresql:// URL" >&2; return 1 ;;
    esac
    # postgresql://[user[:password]@][host][:port][/dbname][?params]: split the password out.
    local scheme="${url%%://*}" rest="${url#*://}" authority tail userinfo hostport user password=""
    authority="${rest%%[/?]*}"
    tail="${rest:${#authority}}"
    if [[ "$authority" == *@* ]]; then
        userinfo="${authority%@*}"
        hostport="${authority##*@}"
        user="${userinfo%%:*}"
        [[ "$userinfo" == *:* ]] && password="${userinfo#*:}"
        DB_URL="$scheme://$user@$hostport$tail"
    else
        user=""
        hostport="$authority"
        DB_URL="$url"
    fi
    if [ -n "$password" ]; then
        PGPASSWORD="$(percent_decode "$password")"
        export PGPASSWORD
    fi
    if [[ "$tail" == *password=* ]]; then
        echo "error: put the password in DATABASE_URL's user part (user:password@host), not in ?password=, so it stays off command lines" >&2
        return 1
    fi
    local db="${tail#/}"
    db="${db%%\?*}"
    if [ -z "$hostport" ] && [[ "$tail" == *'?'* ]]; then # ?host=/run/postgresql&port=5432
        local param
        for param in $(tr '&' ' ' <<<"${tail#*\?}"); do
            case "$param" in host=*) hostport="$(percent_decode "${param#host=}")$hostport" ;; port=*) hostport="$hostport:${param#port=}" ;; esac
        done
    fi
    DB_LABEL="$(percent_decode "${user:-(default user)}")@${hostport:-(default host)}/${db:-(default database)}"
    return 0
}
