"""Characters of Chinese personal names for generated data: the demo, the bench's data set and
the generated import workbook (plain Python: the workbook generator runs without Django)."""

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_MALE = (
    "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国志文博海峰亮成东兵春晨毅"
    "翔子轩然航泽睿嘉铭思远德永庆福贵新宏振家正卫忠诚"
)
GIVEN_FEMALE = (
    "芳娜敏静丽艳娟霞秀英华慧巧美娅玲琳雪梅莉兰凤洁琴云莲真环红月婷颖露瑶怡佳欣倩萍燕晶丹妍雨涵"
    "梓萱诗淑珍桂玉蓉素秋爱彤晓宁"
)
GIVEN = GIVEN_MALE + GIVEN_FEMALE
