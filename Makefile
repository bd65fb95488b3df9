.PHONY: pcaps

# Regenerate the capture lab (needs root: network namespaces). See pcaps/README.md.
pcaps:
	lab/make-pcaps.sh
