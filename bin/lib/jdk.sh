# Sourced by the podswitch launchers and scripts: finds a JDK >= 25 and the build outputs.
# Sets PODSWITCH_JAVA (the java binary), PODSWITCH_HOME (the checkout), PODSWITCH_JVM_FLAGS (every
# podswitch JVM) and PODSWITCHD_JVM_FLAGS (the daemon's, on top of those).

PODSWITCH_MIN_JAVA=25
PODSWITCH_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# The flags in a flags file of bin/lib (comments and blank lines dropped), on one line.
podswitch_flags() {
    local file=$PODSWITCH_HOME/bin/lib/$1
    [ -r "$file" ] || { echo "podswitch: $file is missing (a broken checkout?)" >&2; exit 1; }
    sed -e 's/#.*//' "$file" | tr -s ' \t\n' ' ' | sed -e 's/^ //' -e 's/ $//'
}
# One source of truth (read by the bench too, see jvm.flags): FFM, Agrona, inlining.
PODSWITCH_JVM_FLAGS=$(podswitch_flags jvm.flags)
# The daemon's collector and heap; `podswitch bench` runs with them as well, so it measures what ships.
PODSWITCHD_JVM_FLAGS=$(podswitch_flags podswitchd.flags)

# Prints the feature version (e.g. 25) of the JDK at $1, or nothing.
podswitch_jdk_version() {
    local home=$1 v=""
    [ -x "$home/bin/java" ] || return 0
    if [ -f "$home/release" ]; then
        v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
    fi
    if [ -z "$v" ]; then
        v=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
    fi
    echo "$v"
}

# Finds a JDK >= 25: $JAVA_HOME first, then the newest under /usr/lib/jvm. Exits with one line if none.
podswitch_find_jdk() {
    local candidate v best="" best_v=0
    if [ -n "${JAVA_HOME:-}" ]; then
        v=$(podswitch_jdk_version "$JAVA_HOME")
        if [ -n "$v" ] && [ "$v" -ge "$PODSWITCH_MIN_JAVA" ]; then
            best=$JAVA_HOME; best_v=$v
        fi
    fi
    if [ -z "$best" ]; then
        for candidate in /usr/lib/jvm/*; do
            [ -d "$candidate" ] || continue
            v=$(podswitch_jdk_version "$candidate")
            if [ -n "$v" ] && [ "$v" -ge "$PODSWITCH_MIN_JAVA" ] && [ "$v" -gt "$best_v" ]; then
                best=$candidate; best_v=$v
            fi
        done
    fi
    if [ -z "$best" ]; then
        echo "podswitch: no JDK ${PODSWITCH_MIN_JAVA}+ found (JAVA_HOME=${JAVA_HOME:-unset}, /usr/lib/jvm); install one, e.g. 'apt-get install temurin-25-jdk' or 'openjdk-25-jdk', or set JAVA_HOME" >&2
        exit 1
    fi
    export JAVA_HOME=$best
    PODSWITCH_JAVA=$best/bin/java
}

# Class path of a module's jar and its runtime dependencies (built by 'mvn package').
podswitch_classpath() {
    local module=$1 jar
    jar=$(ls "$PODSWITCH_HOME/$module"/target/podswitch-*.jar 2>/dev/null | grep -v -- '-sources\|-tests' | head -1)
    if [ -z "$jar" ]; then
        echo "podswitch: $module is not built; run 'scripts/build' (or 'mvn -DskipTests package') first" >&2
        exit 1
    fi
    echo "$jar:$PODSWITCH_HOME/$module/target/lib/*"
}
