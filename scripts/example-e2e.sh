#!/usr/bin/env bash
# The example consumer project (examples/) against the resmap artifacts installed in the local Maven
# repository, as a user's project would use them: builds and tests it, then checks its dependency tree
# brings the API and the JUnit extension and nothing of the command-line tool, and that the installed jars
# carry their module names, version and license. Install first:
#   ./mvnw -B install -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."

# The example asks for the version just built: the project's own, from the root pom.
version="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)"
if [[ -z "$version" ]]; then
    echo "example-e2e: no project <version> found in pom.xml" >&2
    exit 1
fi
maven=(./mvnw -B -f examples/pom.xml "-Dresmap.version=$version")

"${maven[@]}" verify

tree="$(mktemp "${TMPDIR:-/tmp}/resmap-example-tree.XXXXXX")"
trap 'rm -f "$tree"' EXIT
"${maven[@]}" -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:tree "-DoutputFile=$tree"
cat "$tree"

failures=0
for needed in "org.resmap:resmap-api:jar:$version:compile" "org.resmap:resmap-junit:jar:$version:test" \
        "net.java.dev.jna:jna:"; do
    if grep -qF -- "$needed" "$tree"; then
        echo "ok    the example depends on $needed"
    else
        echo "FAIL  the example's dependency tree lacks $needed"
        failures=$((failures + 1))
    fi
done
# What only the CLI (and the catalogue the CLI's selftest runs) needs must not reach API users.
for unwanted in "org.resmap:resmap-cli" "org.resmap:resmap-catalogue" "info.picocli" "commons-io"; do
    if grep -qF -- "$unwanted" "$tree"; then
        echo "FAIL  the example's dependency tree has $unwanted"
        failures=$((failures + 1))
    else
        echo "ok    no $unwanted in the example's dependency tree"
    fi
done
# Each installed jar names its Java module, carries the version in its manifest and the license, and has
# its sources and javadoc jars beside it.
repo="${HOME}/.m2/repository/org/resmap"
for artifact in resmap-api resmap-junit resmap-catalogue resmap-cli; do
    jar="$repo/$artifact/$version/$artifact-$version.jar"
    if python3 - "$jar" "$version" <<'PY'
import sys, zipfile
jar, version = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(jar) as z:
    names = set(z.namelist())
    manifest = z.read("META-INF/MANIFEST.MF").decode()
ok = ("META-INF/LICENSE" in names and "Implementation-Version: " + version in manifest
      and ("module-info.class" in names or "Automatic-Module-Name: org.resmap" in manifest))
sys.exit(0 if ok else 1)
PY
    then
        echo "ok    $artifact: module name, Implementation-Version $version and META-INF/LICENSE"
    else
        echo "FAIL  $artifact: $jar lacks a module name, the version in its manifest or META-INF/LICENSE"
        failures=$((failures + 1))
    fi
    for attached in sources javadoc; do
        if [[ -f "$repo/$artifact/$version/$artifact-$version-$attached.jar" ]]; then
            echo "ok    $artifact: $attached jar installed"
        else
            echo "FAIL  $artifact: no $attached jar installed"
            failures=$((failures + 1))
        fi
    done
done

if [[ "$failures" -ne 0 ]]; then
    echo "example-e2e: $failures check(s) failed"
    exit 1
fi
echo "example-e2e: all checks passed"
