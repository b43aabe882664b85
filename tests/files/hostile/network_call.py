# expect: 15 | any
import numpy as np
import socket
socket.create_connection(("example.com", 80), timeout=2)
