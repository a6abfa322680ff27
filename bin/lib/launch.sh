# Shared by bin/demo, bin/bench and bin/mq: checks the tools, builds one module of the reactor and what it
# needs (quietly, tests skipped), then runs a main class on that module's runtime class path.
#
#   launch MODULE MAIN_CLASS [ARGS...]
#
# Environment:
#   JAVA_OPTS        extra JVM options (appended after the script's own)
#   MVN              the Maven command (default: mvn)
#   BIN_SKIP_BUILD=1 run what is built already; used by the tests, which run inside a build
# shellcheck shell=bash

fail() {
    echo "$(basename "$0"): $*" >&2
    exit 3
}

require_java() {
    command -v java >/dev/null 2>&1 || fail "needs Java 17 or later, and 'java' is not on the PATH. Install a JDK 17+ (e.g. apt-get install openjdk-17-jdk) or put its bin/ on the PATH."
    local out major=""
    out="$(java -version 2>&1 || true)"
    if [[ "$out" =~ version\ \"([0-9]+)(\.([0-9]+))? ]]; then
        major="${BASH_REMATCH[1]}"
        [[ "$major" == "1" ]] && major="${BASH_REMATCH[3]}"
    fi
    if [[ -z "$major" || "$major" -lt 17 ]]; then
        fail "needs Java 17 or later, but 'java' ($(command -v java)) says: ${out%%$'\n'*}"
    fi
}

require_maven() {
    command -v "${MVN:-mvn}" >/dev/null 2>&1 || fail "needs Maven 3.8 or later to build, and '${MVN:-mvn}' is not on the PATH. Install it (e.g. apt-get install maven) or set MVN to its path."
}

launch() {
    local module="$1" main="$2"
    shift 2
    local root
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
    require_java
    if [[ "${BIN_SKIP_BUILD:-}" != "1" ]]; then
        require_maven
        echo "Building $module and the modules it needs (the first run downloads dependencies) ..." >&2
        if ! "${MVN:-mvn}" -B -q -Dstyle.color=never -f "$root/pom.xml" -Dmaven.test.skip=true -pl "$module" -am package >&2; then
            fail "the build failed; see Maven's messages above (run: mvn -f $root/pom.xml -pl $module -am package)."
        fi
    fi
    local classes="$root/$module/target/classes"
    local cpfile="$root/$module/target/runtime-classpath.txt"
    [[ -d "$classes" && -f "$cpfile" ]] || fail "$module is not built ($cpfile is missing); run without BIN_SKIP_BUILD."
    # shellcheck disable=SC2086
    exec java ${DEFAULT_JAVA_OPTS:-} ${JAVA_OPTS:-} -cp "$classes:$(<"$cpfile")" "$main" "$@"
}
