#!/usr/bin/python3
"""selfcheck.py - checks our problem packages without the judge.

Theory of operation: for each package given (default: every folder of problems/ with a
problem.yaml) it reads problem.yaml with a small parser for the flat YAML we write, runs
data/generate when the package has one, lists the tests (samples first, then secret in
lexicographic order of their paths), compiles the custom validator if any, then compiles and
runs every submission under submissions/<verdict folder>/ on the tests and compares what
happened with the folder's verdict (or the @EXPECTED_RESULTS@ header). Limits are plain
rlimits and wall-clock timeouts, not a sandbox: this is a consistency check of the packages,
not a judge. The output is compared the ICPC default way (tokens; case and white space as
validator_flags say; floats with the given tolerance) or by the package's own validator;
interactive problems connect submission and interactor with two pipes. Every .in is first
checked by the package's input validators (input_validators/*.py, exit 42 = valid).
Pass-fail problems stop at the first failing test; scoring problems run all tests and add up
group scores from the testdata.yaml files. Exit status 1 if any submission does not get its
expected verdict.

With --lint it only checks the packages' data, fast and without running any submission: on a
temporary copy of each package (so data/generate writes nothing into the source tree) it checks
that problem.yaml and a statement exist, that every .in has its .ans and the other way round,
that test files are LF-only text ending in a newline, that the input validators accept every
.in, that a custom (non-interactive) validator accepts every .ans as output, and that there is
an accepted submission and no unknown submissions folder.

Usage: problems/.tools/selfcheck.py [--lint] [PACKAGE_DIR...] [--only SUBSTRING]
"""
import atexit
import math
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PROBLEMS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = tempfile.mkdtemp(prefix="gavel-selfcheck-")  # this run's builds and copies
atexit.register(shutil.rmtree, WORK, True)
FOLDER_VERDICT = {
    "accepted": "AC", "wrong_answer": "WA", "time_limit_exceeded": "TLE",
    "run_time_error": "RTE", "memory_limit_exceeded": "MLE",
    "output_limit_exceeded": "OLE", "compile_error": "CE",
}
DOMJUDGE_VERDICT = {
    "CORRECT": "AC", "WRONG-ANSWER": "WA", "TIMELIMIT": "TLE", "RUN-ERROR": "RTE",
    "COMPILER-ERROR": "CE", "OUTPUT-LIMIT": "OLE", "MEMORY-LIMIT": "MLE", "NO-OUTPUT": "WA",
}
# extension -> (language, compile argv or None, run argv); placeholders {srcs} {dir} {main} {cls}
LANGUAGES = {
    ".c": ("c", ["gcc", "-std=gnu17", "-O2", "-o", "{dir}/a.out", "{srcs}", "-lm"],
           ["{dir}/a.out"]),
    ".cpp": ("cpp", ["g++", "-std=gnu++20", "-O2", "-o", "{dir}/a.out", "{srcs}"], ["{dir}/a.out"]),
    ".py": ("python3", None, ["/usr/bin/python3", "{main}"]),
    ".java": ("java", ["javac", "-encoding", "UTF-8", "-d", "{dir}", "{srcs}"],
              ["java", "-Xss64m", "-cp", "{dir}", "{cls}"]),
    ".js": ("javascript", None, ["node", "{main}"]),
    ".rs": ("rust", ["/usr/bin/rustc", "--edition=2021", "-O", "-o", "{dir}/a.out", "{main}"],
            ["{dir}/a.out"]),
}
NATIVE = {"c", "cpp", "rust"}


def parse_yaml(path):
    """The flat YAML subset our packages use: `key: value` and one level of nested maps."""
    root, current = {}, None
    if not os.path.exists(path):
        return root
    with open(path) as f:
        for raw in f:
            line = raw.split("#", 1)[0].rstrip()
            if not line.strip():
                continue
            key, _, value = line.strip().partition(":")
            value = value.strip()
            if raw.startswith((" ", "\t")) and current is not None:
                current[key] = value
            elif value == "":
                current = root[key] = {}
            else:
                root[key], current = value, None
    return root


class Problem:
    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)
        self.yaml = parse_yaml(os.path.join(path, "problem.yaml"))
        limits = self.yaml.get("limits", {})
        self.time_limit = self.read_time_limit(limits)
        self.memory_mib = int(limits.get("memory", 2048))
        self.output_mib = int(limits.get("output", 8))
        self.validation = self.yaml.get("validation", "default").split()
        self.flags = self.yaml.get("validator_flags", "").split()
        self.scoring = self.yaml.get("type", "pass-fail") == "scoring"
        self.interactive = "interactive" in self.validation
        self.generate()
        self.tests = self.list_tests()
        self.input_errors = self.validate_inputs()
        self.validator = self.build_validator() if self.validation[0] == "custom" else None

    def read_time_limit(self, limits):
        if "time_limit" in limits:
            return float(limits["time_limit"])
        tl_file = os.path.join(self.path, ".timelimit")
        if os.path.exists(tl_file):
            with open(tl_file) as f:
                return float(f.read().split()[0])
        return 1.0  # verify would derive it; every derived limit is at least 1 s

    def generate(self):
        script = os.path.join(self.path, "data", "generate")
        stamp = os.path.join(self.path, "data", ".generated")
        if not os.path.exists(script):
            return
        if os.path.exists(stamp) and os.path.getmtime(stamp) >= os.path.getmtime(script):
            return
        print(f"{self.name}: running data/generate")
        subprocess.run([script], cwd=os.path.join(self.path, "data"), check=True)

    def list_tests(self):
        tests = []
        for group in ("sample", "secret"):
            top = os.path.join(self.path, "data", group)
            found = []
            for dirpath, _, files in os.walk(top):
                for f in files:
                    if f.endswith(".in"):
                        found.append(os.path.join(dirpath, f[:-3]))
            tests += sorted(found)
        return tests

    def validate_inputs(self):
        """Runs every input_validators/ program on every .in, with the flags of the nearest
        testdata.yaml (input_validator_flags); exit 42 means valid. Returns the complaints."""
        errors = []
        vdir = os.path.join(self.path, "input_validators")
        if not os.path.isdir(vdir):
            return [f"{self.name}: no input_validators/"]
        programs = [os.path.join(vdir, f) for f in sorted(os.listdir(vdir)) if f.endswith(".py")]
        for test in self.tests:
            flags, d = [], os.path.dirname(test)
            while d.startswith(os.path.join(self.path, "data")):
                cfg = parse_yaml(os.path.join(d, "testdata.yaml"))
                if "input_validator_flags" in cfg:
                    flags = cfg["input_validator_flags"].split()
                    break
                d = os.path.dirname(d)
            for prog in programs:
                with open(test + ".in", "rb") as fin:
                    code = subprocess.run(["/usr/bin/python3", prog] + flags, stdin=fin).returncode
                if code != 42:
                    errors.append(f"{self.name}: {os.path.relpath(prog, self.path)} rejects "
                                  f"{os.path.relpath(test, self.path)}.in (exit {code})")
        return errors

    def build_validator(self):
        vdir = os.path.join(self.path, "output_validators")
        names = sorted(os.listdir(vdir))
        srcs = []
        for dirpath, _, files in os.walk(os.path.join(vdir, names[0])):
            srcs += [os.path.join(dirpath, f) for f in files if f.endswith(".c")]
        os.makedirs(os.path.join(WORK, self.name), exist_ok=True)
        out = os.path.join(WORK, self.name, "validator")
        subprocess.run(["gcc", "-std=gnu17", "-O2", "-o", out] + srcs, check=True)
        return out


def set_limits(time_limit, memory_mib, output_mib, native):
    def apply():
        cpu = int(math.ceil(time_limit)) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        fsize = output_mib << 20
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        resource.setrlimit(resource.RLIMIT_STACK, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        if native:
            mem = memory_mib << 20
            resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        os.setsid()
    return apply


class Submission:
    def __init__(self, problem, path, folder):
        self.problem = problem
        self.path = path
        self.rel = os.path.relpath(path, os.path.join(problem.path, "submissions"))
        self.expected = {FOLDER_VERDICT[folder]}
        files = [path] if os.path.isfile(path) else sorted(
            os.path.join(path, f) for f in os.listdir(path))
        self.srcs = [f for f in files if os.path.splitext(f)[1] in LANGUAGES]
        exts = {os.path.splitext(f)[1] for f in self.srcs}
        self.ext = exts.pop()
        self.language = LANGUAGES[self.ext][0]
        self.main = self.srcs[0] if len(self.srcs) == 1 else next(
            f for f in self.srcs if os.path.basename(f).startswith("main"))
        for f in self.srcs:
            with open(f) as src:
                head = src.read(2000)
            if "@EXPECTED_RESULTS@:" in head:
                line = head.split("@EXPECTED_RESULTS@:", 1)[1].splitlines()[0]
                self.expected = {DOMJUDGE_VERDICT[v.strip()] for v in line.split(",")}
        self.dir = os.path.join(WORK, problem.name, self.rel.replace("/", "_"))

    def compile(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        _, argv, run = LANGUAGES[self.ext]
        cls = os.path.splitext(os.path.basename(self.main))[0]
        fill = {"{dir}": self.dir, "{main}": self.main, "{cls}": cls}
        def subst(arg):
            for key, value in fill.items():
                arg = arg.replace(key, value)
            return arg

        self.run_argv = [subst(a) for a in run]
        if argv is None:
            check = {"python3": ["/usr/bin/python3", "-c",
                                 "import ast, sys; ast.parse(open(sys.argv[1]).read())"],
                     "javascript": ["node", "--check"]}[self.language]
            return subprocess.run(check + [self.main], capture_output=True).returncode == 0
        cmd = []
        for a in argv:
            cmd += self.srcs if a == "{srcs}" else [subst(a)]
        return subprocess.run(cmd, capture_output=True, timeout=120).returncode == 0

    def run_plain(self, test, out_path):
        p = self.problem
        with open(test + ".in", "rb") as fin, open(out_path, "wb") as fout:
            proc = subprocess.Popen(self.run_argv, stdin=fin, stdout=fout,
                                    stderr=subprocess.DEVNULL, cwd=self.dir,
                                    preexec_fn=set_limits(p.time_limit, p.memory_mib,
                                                          p.output_mib, self.language in NATIVE))
            status = wait_for(proc, 3 * p.time_limit + 1)
        return classify(status, p, self.language, out_path)

    def run_interactive(self, test, feedback):
        p = self.problem
        sub_to_val = os.pipe()
        val_to_sub = os.pipe()
        sub = subprocess.Popen(self.run_argv, stdin=val_to_sub[0], stdout=sub_to_val[1],
                               stderr=subprocess.DEVNULL, cwd=self.dir,
                               preexec_fn=set_limits(p.time_limit, p.memory_mib, p.output_mib,
                                                     self.language in NATIVE))
        val = subprocess.Popen([p.validator, test + ".in", test + ".ans", feedback + "/"] +
                               p.flags, stdin=sub_to_val[0], stdout=val_to_sub[1],
                               stderr=subprocess.DEVNULL)
        for fd in sub_to_val + val_to_sub:
            os.close(fd)
        deadline = time.monotonic() + 3 * p.time_limit + 1
        sub_status, val_code, order = None, None, []
        while sub_status is None or val_code is None:
            if sub_status is None:
                pid, status, usage = os.wait4(sub.pid, os.WNOHANG)
                if pid:
                    sub_status = (os.waitstatus_to_exitcode(status), usage)
                    order.append("sub")
                elif time.monotonic() > deadline:
                    os.killpg(sub.pid, signal.SIGKILL)
                    _, status, usage = os.wait4(sub.pid, 0)
                    sub_status = (None, usage)
                    order.append("sub")
            if val_code is None and val.poll() is not None:
                val_code = val.returncode
                order.append("val")
            if val_code is None and time.monotonic() > deadline + 10:
                val.kill()
                val_code = val.wait()
            time.sleep(0.002)
        verdict = classify(sub_status, p, self.language, None)
        if val_code == 43 and (verdict == "AC" or order[0] == "val"):
            return "WA"
        if verdict != "AC":
            return verdict
        return "AC" if val_code == 42 else f"JE(validator exit {val_code})"


def wait_for(proc, wall):
    """Waits up to `wall` seconds; returns (returncode or None if killed for wall time, rusage)."""
    deadline = time.monotonic() + wall
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, usage
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            return None, usage
        time.sleep(0.005)


def classify(status, problem, language, out_path):
    """A run's verdict from (exit code or None if killed for wall time, rusage)."""
    code, usage = status
    cpu = usage.ru_utime + usage.ru_stime
    if code is None or cpu > problem.time_limit or code == -signal.SIGXCPU:
        return "TLE"
    too_long = out_path and os.path.getsize(out_path) >= problem.output_mib << 20
    if code == -signal.SIGXFSZ or too_long:
        return "OLE"
    if code != 0:
        if language in NATIVE and code == -signal.SIGABRT:
            return "RTE/MLE?"  # abort(), or an allocation that failed under RLIMIT_AS
        return "RTE"
    return "AC"


def tokens_equal(out, ans, flags):
    case = "case_sensitive" in flags
    space = "space_change_sensitive" in flags
    tol = {}
    for i, f in enumerate(flags):
        if f in ("float_tolerance", "float_absolute_tolerance", "float_relative_tolerance"):
            tol[f] = float(flags[i + 1])
    if space:
        if len(out) != len(ans):
            return False
        ws = b" \t\n\r\f\v"
        for a, b in zip(out, ans):
            if (a in ws or b in ws) and a != b:
                return False
    ta, tb = out.split(), ans.split()
    if len(ta) != len(tb):
        return False
    abs_tol = tol.get("float_absolute_tolerance", tol.get("float_tolerance"))
    rel_tol = tol.get("float_relative_tolerance", tol.get("float_tolerance"))
    for a, b in zip(ta, tb):
        if abs_tol is not None or rel_tol is not None:
            try:
                x, y = float(b), float(a)
                ok = (abs_tol is not None and abs(x - y) <= abs_tol) or \
                     (rel_tol is not None and abs(x - y) <= rel_tol * abs(y))
                if ok:
                    continue
                return False
            except ValueError:
                pass
        if (a if case else a.lower()) != (b if case else b.lower()):
            return False
    return True


def check_output(problem, test, out_path, feedback):
    if problem.validator:
        with open(out_path, "rb") as fout:
            code = subprocess.run([problem.validator, test + ".in", test + ".ans",
                                   feedback + "/"] + problem.flags, stdin=fout).returncode
        return {42: "AC", 43: "WA"}.get(code, f"JE(validator exit {code})")
    with open(out_path, "rb") as f1, open(test + ".ans", "rb") as f2:
        return "AC" if tokens_equal(f1.read(), f2.read(), problem.flags) else "WA"


def group_score(problem, results):
    """Legacy default grading: per group min of accept_score/reject_score, secret sums groups."""
    total = 0.0
    groups = {}
    for test, verdict in results:
        rel = os.path.relpath(os.path.dirname(test), os.path.join(problem.path, "data"))
        if rel.startswith("secret"):
            groups.setdefault(rel, []).append(verdict)
    for rel, verdicts in groups.items():
        cfg = parse_yaml(os.path.join(problem.path, "data", rel, "testdata.yaml"))
        accept, reject = float(cfg.get("accept_score", 1)), float(cfg.get("reject_score", 0))
        total += min(accept if v == "AC" else reject for v in verdicts)
    return total


def judge(sub):
    p = sub.problem
    if not sub.compile():
        return "CE", None
    feedback = os.path.join(sub.dir, "feedback")
    os.makedirs(feedback, exist_ok=True)
    results, final = [], "AC"
    for test in p.tests:
        if p.interactive:
            verdict = sub.run_interactive(test, feedback)
        else:
            out = os.path.join(sub.dir, "out.txt")
            verdict = sub.run_plain(test, out)
            if verdict == "AC":
                verdict = check_output(p, test, out, feedback)
        results.append((test, verdict))
        if verdict != "AC" and final == "AC":
            final = verdict
            if not p.scoring:
                break
    return final, group_score(p, results) if p.scoring else None


STATEMENTS = ("statement/problem.en.md", "statement/problem.en.tex",
              "problem_statement/problem.en.md", "problem_statement/problem.en.tex")


def lint(src):
    """Returns a list of problems found in the package at src (checked on a copy)."""
    errors = []
    name = os.path.basename(src)
    copy = os.path.join(WORK, "lint", name)
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(src, copy, symlinks=True)
    stamp = os.path.join(copy, "data", ".generated")
    if os.path.exists(stamp):
        os.remove(stamp)  # run data/generate afresh, as on a clean checkout
    try:
        problem = Problem(copy)
    except (SystemExit, subprocess.CalledProcessError, OSError, ValueError) as e:
        return [f"{name}: {e}"]
    errors += problem.input_errors
    if "name" not in problem.yaml:
        errors.append(f"{name}: problem.yaml has no name")
    if not any(os.path.exists(os.path.join(copy, st)) for st in STATEMENTS):
        errors.append(f"{name}: no statement")
    for dirpath, _, files in os.walk(os.path.join(copy, "data")):
        for f in files:
            base, ext = os.path.splitext(f)
            other = {".in": ".ans", ".ans": ".in"}.get(ext)
            if other and base + other not in files:
                errors.append(f"{name}: {os.path.relpath(os.path.join(dirpath, f), copy)} "
                              f"has no {other}")
            if ext in (".in", ".ans", ".interaction"):
                with open(os.path.join(dirpath, f), "rb") as fh:
                    data = fh.read()
                if b"\r" in data or (data and not data.endswith(b"\n")):
                    errors.append(f"{name}: {f}: CR, or no newline at the end")
    if problem.validator and not problem.interactive:
        feedback = os.path.join(WORK, "lint", name + "-feedback")
        os.makedirs(feedback, exist_ok=True)
        for test in problem.tests:
            with open(test + ".ans", "rb") as fans:
                code = subprocess.run([problem.validator, test + ".in", test + ".ans",
                                       feedback + "/"] + problem.flags, stdin=fans).returncode
            if code != 42:
                errors.append(f"{name}: validator rejects {os.path.relpath(test, copy)}.ans "
                              f"as output (exit {code})")
    subs = os.path.join(copy, "submissions")
    folders = sorted(os.listdir(subs)) if os.path.isdir(subs) else []
    errors += [f"{name}: unknown submissions folder {f}" for f in folders
               if f not in FOLDER_VERDICT and os.path.isdir(os.path.join(subs, f))]
    if "accepted" not in folders or not os.listdir(os.path.join(subs, "accepted")):
        errors.append(f"{name}: no accepted submission")
    return errors


def main(argv):
    only = None
    if "--lint" in argv:
        argv = [a for a in argv if a != "--lint"]
        dirs = argv or sorted(os.path.join(PROBLEMS, d) for d in os.listdir(PROBLEMS)
                              if os.path.isdir(os.path.join(PROBLEMS, d)) and not d.startswith("."))
        os.makedirs(os.path.join(WORK, "lint"), exist_ok=True)
        errors = []
        for d in dirs:
            errors += lint(os.path.abspath(d))
        for e in errors:
            print(e)
        print(f"lint: {len(dirs)} packages, {len(errors)} problems")
        return 1 if errors else 0
    if "--only" in argv:
        i = argv.index("--only")
        only = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    dirs = argv or sorted(os.path.join(PROBLEMS, d) for d in os.listdir(PROBLEMS)
                          if os.path.exists(os.path.join(PROBLEMS, d, "problem.yaml")))
    os.makedirs(WORK, exist_ok=True)
    failures = 0
    for d in dirs:
        problem = Problem(os.path.abspath(d))
        if problem.input_errors:
            print("\n".join(problem.input_errors))
            return 1
        os.makedirs(os.path.join(WORK, problem.name), exist_ok=True)
        for folder in sorted(os.listdir(os.path.join(problem.path, "submissions"))):
            if folder not in FOLDER_VERDICT:
                continue
            fdir = os.path.join(problem.path, "submissions", folder)
            for entry in sorted(os.listdir(fdir)):
                sub = Submission(problem, os.path.join(fdir, entry), folder)
                if only and only not in f"{problem.name}/{sub.rel}":
                    continue
                start = time.monotonic()
                verdict, score = judge(sub)
                ok = verdict in sub.expected or (verdict == "RTE/MLE?" and
                                                 bool({"RTE", "MLE"} & sub.expected))
                failures += not ok
                extra = f" score {score:g}" if score is not None else ""
                print(f"{'ok  ' if ok else 'FAIL'} {problem.name}/{sub.rel}: {verdict}{extra} "
                      f"(expected {'/'.join(sorted(sub.expected))}) "
                      f"{time.monotonic() - start:.1f}s", flush=True)
    print(f"{failures} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
