# make demo   installs what is missing, builds release, runs examples/quickstart.adv
# make test   installs what is missing, runs the whole test suite (debug build)
# make crash-test  kills 'adv run' 50 times (KILLS=N) at random moments and inside writes, resuming
#             each time; the final results.json must equal an uninterrupted run's (a few minutes)
# make slurm-test  brings up a single-node Slurm (scripts/slurm-up.sh, as root), submits a sweep as
#             4 shards with 'adv submit --slurm', compares the merged results.json with a single run's,
#             then cancels a shard mid-run and resubmits (several minutes)
# make bench  release build; times our engine and PyTorch (in .venv) on the same workloads,
#             with each one's peak memory, and prints the ratios against their targets
#             (ISA=avx2: oneDNN and PyTorch kept to AVX2, as on a laptop without AVX-512)
#             (when other processes keep the cores busy: OMP_WAIT_POLICY=PASSIVE make bench)
# make pcam-memory  peak RSS of training on a full-size PCam (synthetic files in the real layout
#             unless PCAM=DIR; 7.2 GB of disk); fails above 2 GiB
# make fuzz SECONDS=N   release build; fuzzes the front end and the file readers for about
#             N seconds in all (default 60), seeded from SEED (default 1); findings in
#             .build/fuzz-findings/
# make fuzz-libfuzzer SECONDS=N   the same targets under libFuzzer with AddressSanitizer
#             (a build of its own in .build/libfuzzer; corpora in .build/fuzz-corpus/)
SWIFT ?= swift
VENV  := .venv
PY    := $(VENV)/bin/python
TORCH := torch==2.13.0+cpu
FOOLBOX := foolbox==3.3.4
SAFETENSORS := safetensors==0.8.0
H5PY := h5py==3.16.0

SECONDS ?= 60
SEED ?= 1
FUZZ_TARGETS := frontend generator idx cifar10 hdf5 safetensors cache adversarials

# `make bench ISA=avx2` caps the vector instructions of oneDNN (ours and PyTorch's) and of
# PyTorch's own kernels.
ISA ?=
BENCH_ENV := $(if $(ISA),ONEDNN_MAX_CPU_ISA=$(shell echo $(ISA) | tr a-z A-Z) ATEN_CPU_CAPABILITY=$(ISA) ADV_BINARY_ISA=$(ISA),)

.PHONY: deps demo test crash-test slurm-test bench venv grammar clean compare-foolbox fuzz fuzz-libfuzzer pcam-memory

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

venv: $(VENV)/.installed-torch-foolbox $(VENV)/.installed-safetensors $(VENV)/.installed-h5py

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

# h5py, for the synthetic full-size PCam files of `make pcam-memory`.
$(VENV)/.installed-h5py: $(VENV)/.installed-torch-foolbox
	$(VENV)/bin/pip install -q $(H5PY)
	touch $@

# Peak memory of training on a full-size PCam (262,144 patches, 7.2 GB of HDF5; synthetic files
# in the real layout unless PCAM=DIR names the real ones): fails above 2 GiB (scripts/pcam_memory.py).
PCAM ?= .build/pcam-synthetic
pcam-memory: deps venv
	$(SWIFT) build -c release --product adv
	$(PY) scripts/pcam_memory.py --dir $(PCAM)

# Ours and the peer take turns workload by workload, so that a change in a shared machine's
# speed during the run meets both sides of a ratio.
TORCH_WORKLOADS := lenet-epoch bim100 resnet18-epoch bsn-l-epoch bnn-d-epoch launches surrogate-round

bench: deps venv
	$(SWIFT) build -c release --product adv
	@mkdir -p .build
	@rm -f .build/bench-ours.txt .build/bench-torch.txt .build/bench-foolbox.txt
	@for w in $(TORCH_WORKLOADS); do \
	  $(BENCH_ENV) .build/release/adv bench --only $$w | tee -a .build/bench-ours.txt || exit 1; \
	  $(BENCH_ENV) OMP_NUM_THREADS=2 $(PY) scripts/bench_torch.py --only $$w | tee -a .build/bench-torch.txt || exit 1; \
	done
	$(BENCH_ENV) .build/release/adv bench --only bnn-d-query | tee -a .build/bench-ours.txt
	$(BENCH_ENV) .build/release/adv bench --only cwl2,boundary | tee -a .build/bench-ours.txt
	$(BENCH_ENV) OMP_NUM_THREADS=2 $(PY) scripts/bench_foolbox.py | tee .build/bench-foolbox.txt
	@$(PY) scripts/bench_ratios.py .build/bench-ours.txt .build/bench-torch.txt .build/bench-foolbox.txt

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

# The fuzzers (Tests/Fuzz/): mutated scripts through lexer, parser and checker, generated
# scripts that must check and print back to themselves, and mutated data files, checkpoints,
# cache entries and adversarials files through their readers. `make test` runs a short,
# fixed-seed pass of each (Tests/AdvFuzzTests).
fuzz: deps
	$(SWIFT) build -c release --product adv-fuzz
	.build/release/adv-fuzz --seconds $(SECONDS) --seed $(SEED)

# libFuzzer: SwiftPM links an executable's entry point as `main`, which collides with the
# `main` of -sanitize=fuzzer, so the build instruments with ASan and libFuzzer's coverage
# flags and links libFuzzer without its main; adv-libfuzzer calls LLVMFuzzerRunDriver.
# -malloc_limit_mb makes any single allocation over 1 GB a finding. The hdf5 target's crashes
# are replayed by adv-fuzz, which tells libhdf5's own from ours (scripts/fuzz-libfuzzer.sh).
LIBFUZZER_RT = $(firstword $(wildcard $(dir $(shell command -v swiftc))../lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a))
fuzz-libfuzzer: deps
	$(SWIFT) build -c release --product adv-libfuzzer --build-path .build/libfuzzer \
	  -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp \
	  -Xswiftc -DLIBFUZZER -Xlinker $(LIBFUZZER_RT) -Xlinker -lstdc++
	$(SWIFT) build -c release --product adv-fuzz
	scripts/fuzz-libfuzzer.sh $(SECONDS) $(SEED) $(FUZZ_TARGETS)
