# Warnings shared by every leadscore target.
set(LEADSCORE_WARNINGS -Wall -Wextra -Wpedantic -Wshadow=local -Wno-unused-parameter)
