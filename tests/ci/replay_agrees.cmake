# replay_agrees.cmake - a counterexample check prints is one of the check's:
# replaying its token breaks no invariant the check reports as held.
#
# For each scenario in FILES ("|"-separated): `tabsim check FILE`, then
# `tabsim replay FILE --token T` for every token it prints; every invariant
# the replay marks VIOLATED must be "violated" on the check's invariants
# line.  (Shrinking once accepted shorter runs that broke another invariant
# too, explore_shrink.c: the report said "lost-event held" and its own
# counterexample lost an event.)
# Inputs: TABSIM, FILES.
string(REPLACE "|" ";" files "${FILES}")
list(REMOVE_ITEM files "")
set(tokens 0)
foreach(f IN LISTS files)
  execute_process(COMMAND ${TABSIM} check ${f} --no-timing
                  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 AND NOT rc EQUAL 1)
    message(FATAL_ERROR "check ${f}: exit ${rc}\n${out}${err}")
  endif()
  string(REGEX MATCH "\ninvariants  [^\n]*" inv "${out}")
  if(inv STREQUAL "")
    message(FATAL_ERROR "check ${f}: no invariants line\n${out}")
  endif()
  string(REGEX MATCHALL "--token [A-Za-z0-9_-]+" found "${out}")
  if(found STREQUAL "")
    message(FATAL_ERROR "check ${f}: no counterexample to replay\n${out}")
  endif()
  foreach(t IN LISTS found)
    string(REPLACE "--token " "" token "${t}")
    execute_process(COMMAND ${TABSIM} replay ${f} --token ${token}
                    OUTPUT_VARIABLE rout ERROR_VARIABLE rerr RESULT_VARIABLE rrc)
    if(NOT rrc EQUAL 0 AND NOT rrc EQUAL 1)
      message(FATAL_ERROR "replay ${f} --token ${token}: exit ${rrc}\n${rout}${rerr}")
    endif()
    string(REGEX MATCH "\ninvariants  [^\n]*" rinv "${rout}")
    string(REGEX MATCHALL "[a-z-]+ VIOLATED" broken "${rinv}")
    if(broken STREQUAL "")
      message(FATAL_ERROR "replay ${f} --token ${token} breaks nothing:${rinv}")
    endif()
    foreach(b IN LISTS broken)
      string(REPLACE " VIOLATED" "" name "${b}")
      if(NOT inv MATCHES " ${name} violated")
        message(FATAL_ERROR "${f}: the check reports${inv}\nbut its counterexample --token ${token} "
                            "breaks ${name}:${rinv}")
      endif()
    endforeach()
    math(EXPR tokens "${tokens} + 1")
  endforeach()
endforeach()
message(STATUS "${tokens} counterexamples replayed, each within its check's violations")
