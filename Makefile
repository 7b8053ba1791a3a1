# Build and install wallboardd. `make install` puts everything in the standard places
# (PREFIX=/usr by default; DESTDIR for staging, e.g. when building the .deb).
PREFIX ?= /usr
DESTDIR ?=
SCRATCH ?= .build-release
SWIFT_BUILD = swift build -c release --static-swift-stdlib --scratch-path $(SCRATCH)
BIN = $(SCRATCH)/release

.PHONY: build install uninstall deb test run

build:
	$(SWIFT_BUILD) --product wallboardd
	$(SWIFT_BUILD) --product wallboardctl

install: build
	install -D -s -m 0755 $(BIN)/wallboardd $(DESTDIR)$(PREFIX)/bin/wallboardd
	install -D -s -m 0755 $(BIN)/wallboardctl $(DESTDIR)$(PREFIX)/bin/wallboardctl
	cd web && find . -path ./test -prune -o -type f -print | while read -r f; do \
		install -D -m 0644 "$$f" "$(DESTDIR)$(PREFIX)/share/wallboardd/web/$$f"; done
	install -D -m 0644 systemd/wallboardd.service $(DESTDIR)/lib/systemd/system/wallboardd.service
	install -D -m 0644 systemd/wallboardd.yaml $(DESTDIR)/etc/wallboardd/wallboardd.yaml
	for f in README.md docs/*.md; do install -D -m 0644 "$$f" "$(DESTDIR)$(PREFIX)/share/doc/wallboardd/$$(basename $$f)"; done
	install -D -m 0644 docs/samples/day-sample.ndjson $(DESTDIR)$(PREFIX)/share/doc/wallboardd/examples/day-sample.ndjson

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/wallboardd $(DESTDIR)$(PREFIX)/bin/wallboardctl
	rm -rf $(DESTDIR)$(PREFIX)/share/wallboardd $(DESTDIR)$(PREFIX)/share/doc/wallboardd
	rm -f $(DESTDIR)/lib/systemd/system/wallboardd.service

deb:
	scripts/build-deb

test:
	scripts/test

run:
	scripts/run
