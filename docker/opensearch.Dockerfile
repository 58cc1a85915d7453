# The official OpenSearch image with the language analysis plugins the index mapping uses
# (search/languages.py; the local node gets the same ones, search/localnode/provision.py).
ARG OPENSEARCH_VERSION=3.8.0
FROM opensearchproject/opensearch:${OPENSEARCH_VERSION}
RUN for plugin in analysis-nori analysis-kuromoji analysis-smartcn analysis-ukrainian; do \
      bin/opensearch-plugin install --batch "$plugin" || exit 1; \
    done
