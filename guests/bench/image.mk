# Benchmark workloads: one image per workload, all sharing start.S, lib.c and bench.ld.
BENCHES := sieve sort checksum format

define bench_image
IMAGES += bench-$(1)
bench-$(1)_SRCS := bench/start.S bench/lib.c bench/$(1).c
bench-$(1)_LDS := bench/bench.ld
NATIVE += bench-$(1)
bench-$(1)_NATIVE_SRCS := bench/$(1).c bench/lib.c
endef

$(foreach b,$(BENCHES),$(eval $(call bench_image,$(b))))
