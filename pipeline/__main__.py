from .cli import run

run()  # main(), flush, then os._exit: no interpreter teardown (pyarrow's exit-time abort)
