def noop(x: str = ''):
    return x
