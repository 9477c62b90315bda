from conftest import PASSWORD


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
