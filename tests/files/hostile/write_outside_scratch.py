# expect: 17 | any
import os
import numpy as np
import grader.inside.probes

targets = [
    "/tmp/gdgrade-hostile-write.txt",  # seen by the grader when /tmp is shared
    os.path.join(os.path.dirname(grader.inside.probes.__file__), "planted_by_student.py"),
]
for target in targets:
    try:
        with open(target, "w") as fh:
            fh.write("written from a student notebook")
    except OSError as err:
        print(err)


def update(w, grad, lr):
    return w - lr * np.asarray(grad)
