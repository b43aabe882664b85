"""Authoring tools for the demo course: content modules -> nbgrader notebooks."""
