# make demo   installs what is missing, builds release, runs examples/quickstart.adv
# make test   installs what is missing, runs the whole test suite (debug build)
# make crash-test  kills 'adv run' 50 times (KILLS=N) at random moments and inside writes, resuming
#             each time; the final results.json must equal an uninterrupted run's (a few minutes)
# make slurm-test  brings up a single-node Slurm (scripts/slurm-up.sh, as root), submits a sweep as
#             4 shards with 'adv submit --slurm', compares the merged results.json with a single run's,
#             then cancels a shard mid-run and resubmits (several minutes)
# make bench  release build; times our engine and PyTorch (in .venv) on the same workloads
#             (when other processes keep the cores busy: OMP_WAIT_POLICY=PASSIVE make bench)
SWIFT ?= swift
VENV  := .venv
PY    := $(VENV)/bin/python
TORCH := torch==2.13.0+cpu
FOOLBOX := foolbox==3.3.4
SAFETENSORS := safetensors==0.8.0

.PHONY: deps demo test crash-test slurm-test bench venv grammar clean compare-foolbox

deps:
	@scripts/install-deps.sh

demo: deps
	$(SWIFT) build -c release --product adv
	.build/release/adv run examples/quickstart.adv

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The short version (a few kills of a 2-second script) is CrashSafetyTests, part of 'make test'.
KILLS ?= 50
crash-test: deps
	$(SWIFT) build --product adv
	scripts/crash-test.sh $(KILLS)

slurm-test: deps
	$(SWIFT) build --product adv
	scripts/slurm-test.sh

venv: $(VENV)/.installed-torch-foolbox $(VENV)/.installed-safetensors

# pip finds the CPU-only torch wheel in its configured local wheel directory.
$(VENV)/.installed-torch-foolbox:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q $(TORCH) numpy $(FOOLBOX)
	touch $@

# The safetensors package, for scripts that read files the way PyTorch users do
# (scripts/load_adversarials.py); a stamp of its own so existing environments get it too.
$(VENV)/.installed-safetensors: $(VENV)/.installed-torch-foolbox
	$(VENV)/bin/pip install -q $(SAFETENSORS)
	touch $@

bench: deps venv
	$(SWIFT) build -c release --product adv
	@mkdir -p .build
	.build/release/adv bench | tee .build/bench-ours.txt
	OMP_NUM_THREADS=2 $(PY) scripts/bench_torch.py | tee .build/bench-torch.txt
	OMP_NUM_THREADS=2 $(PY) scripts/bench_foolbox.py | tee .build/bench-foolbox.txt
	@awk '{ split($$3, kv, "="); t[$$1, $$2] = kv[2]; q[$$1, $$2] = $$4 " " $$5; \
	    if ($$1 != "ours") peer[$$2] = $$1; if (!($$2 in seen)) { seen[$$2] = 1; order[n++] = $$2 } } \
	  END { for (i = 0; i < n; i++) { k = order[i]; p = peer[k]; if (t["ours", k] != "" && p != "") \
	    printf "ratio %s ours/%s = %.2f%s\n", k, (p == "torch" ? "pytorch" : p), t["ours", k] / t[p, k], \
	      (q["ours", k] != " " ? "   (ours " q["ours", k] "; " p " " q[p, k] ")" : "") } }' \
	  .build/bench-ours.txt .build/bench-torch.txt .build/bench-foolbox.txt

grammar:
	$(SWIFT) build --product adv
	.build/debug/adv grammar grammar.md

clean:
	rm -rf .build adv-out

# Our attacks against Foolbox 3.3.4's on the same stochastic weights and images, both scored by
# the launch protocol (scripts/compare_foolbox.py; about 1.5 hours for the three default models,
# most of it training bnn-d and bnn-s).
# COMPARE="--models bsn-l --samples 50" passes options through.
compare-foolbox: deps venv
	$(SWIFT) build -c release --product adv
	OMP_NUM_THREADS=2 $(PY) scripts/compare_foolbox.py $(COMPARE)
