/* c */ SELECT /*+ h */ `t1`.`a` FROM `test`.`t1` WHERE `a` = -1 -- x
