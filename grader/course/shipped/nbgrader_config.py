# nbgrader configuration of the demo course (the course root is this folder or a copy of it).
c = get_config()  # noqa: F821

c.CourseDirectory.course_id = "gdgrade-demo"
c.CourseDirectory.assignment_id = ""
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
