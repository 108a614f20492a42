"""The service dimensions and the standard questionnaire (POLICY Ch.7), shipped as a template.

Offices copy it into a new version to adapt it; this migration never edits an existing one."""

from django.db import migrations

DIMENSIONS = [
    ("service", "客户服务"),
    ("security", "秩序维护"),
    ("cleaning", "保洁"),
    ("greening", "绿化"),
    ("engineering", "工程维修"),
    ("fees", "收费"),
    ("culture", "社区文化"),
]

QUESTIONS = {
    "service": ["前台接待的礼貌与效率", "物管员（管家）的服务态度", "投诉处理的及时性与结果", "报修响应速度"],
    "security": ["门岗出入管理", "夜间巡逻与安全感", "车辆停放秩序"],
    "cleaning": ["楼道及电梯清洁", "公共区域及道路清洁", "垃圾分类与清运"],
    "greening": ["绿化养护", "园区环境美观"],
    "engineering": ["公共设施设备运行", "维修质量", "电梯运行状况"],
    "fees": ["收费标准公开透明", "缴费便利程度"],
    "culture": ["社区活动的组织", "公告通知及时清楚"],
}
INTRO = ("尊敬的业主/住户：为了不断改进我们的服务，请您抽出几分钟填写这份问卷。"
         "问卷不记录您的答案以外的信息，结果只用于改进服务。感谢您的支持！")


def forwards(apps, schema_editor):
    Dimension = apps.get_model("surveys", "Dimension")
    Questionnaire = apps.get_model("surveys", "Questionnaire")
    Version = apps.get_model("surveys", "QuestionnaireVersion")
    Section = apps.get_model("surveys", "Section")
    Question = apps.get_model("surveys", "Question")
    dimensions = {}
    for sort, (code, name) in enumerate(DIMENSIONS):
        dimensions[code], _ = Dimension.objects.get_or_create(code=code, defaults={"name": name, "sort": sort})
    if Questionnaire.objects.filter(is_template=True).exists():
        return
    questionnaire = Questionnaire.objects.create(
        name="物业服务满意度调查问卷（标准版）", is_template=True,
        description="按服务维度的五级满意度题目，另加总体评价和意见建议。",
    )
    from django.utils import timezone

    version = Version.objects.create(
        questionnaire=questionnaire, number=1, intro=INTRO, status="approved", approved_at=timezone.now()
    )
    for sort, (code, name) in enumerate(DIMENSIONS):
        section = Section.objects.create(questionnaire_version=version, dimension=dimensions[code], title=name, sort=sort)
        for q_sort, text in enumerate(QUESTIONS[code]):
            Question.objects.create(section=section, kind="scale", text=text, sort=q_sort)
    last = Section.objects.create(questionnaire_version=version, title="总体评价与意见", sort=len(DIMENSIONS))
    Question.objects.create(section=last, kind="single", text="您是否愿意向亲友推荐本小区的物业服务？",
                            choices=["愿意", "不确定", "不愿意"], sort=0)
    Question.objects.create(section=last, kind="multiple", text="您最希望我们优先改进哪些方面？（可多选）",
                            choices=[name for _, name in DIMENSIONS], sort=1)
    Question.objects.create(section=last, kind="text", text="您对我们的意见和建议", sort=2)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
