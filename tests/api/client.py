"""A test client for the JSON API: JSON bodies, a bearer token."""

from salesculture.api_tokens import api_token_create


class ApiClient:
    """The test client speaking JSON with a token, as a dialer or a phone app would."""

    def __init__(self, client, secret: str | None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path, data=None, **kwargs):
        return self.client.get(f"/api/v1{path}", data, headers=self.headers, **kwargs)

    def _send(self, method, path, body, **kwargs):
        return getattr(self.client, method)(f"/api/v1{path}", body, content_type="application/json",
                                            headers=self.headers, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self._send("post", path, body or {}, **kwargs)

    def patch(self, path, body=None, **kwargs):
        return self._send("patch", path, body or {}, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self._send("put", path, body or {}, **kwargs)

    def delete(self, path, **kwargs):
        return self.client.delete(f"/api/v1{path}", headers=self.headers, **kwargs)


def token_for(producer, name="Dialer") -> str:
    return api_token_create(producer=producer, name=name)[1]
